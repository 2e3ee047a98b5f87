#!/usr/bin/env python3
"""orchd's web UI in a real browser: headless Chromium (Debian's) driven by Playwright, against real
orchd processes and a MariaDB `tree` sandbox (1 master; 2 and 3 below it; 4 below 3).

Run by OrchdWebUIBrowserTests, which starts everything and passes it all as arguments. Exits non-zero
with the reason when a scenario fails or cannot run. Scenarios:

  pages      every page renders, no script error or Content-Security-Policy violation
  relocate   drag replica 4 onto 2: the dry-run plan is shown, nothing moves until "Run", then
             MariaDB's SHOW SLAVE STATUS on 4 names 2's port and the tree shows 4 under 2
  refused    drag 2 onto its own replica 4: the refusal and its reason, nothing runs
  keyboard   select 4 with the keyboard, "Move below..." 3, preview, run: back below 3 on MariaDB
  replication  stop, then start, replica 4 from its panel: the SQL previewed, run once confirmed,
             MariaDB's replication threads follow
  downtime   begin a downtime from the instance panel; the API and the panel show it
  raft       transfer leadership from the Raft view to a follower (whoever leads at the time)
  search     the header's search box finds a server; its link opens the cluster with its panel
  readonly   the user `readonly` sees no action (no drag, no panel actions, no transfer) and the API
             refuses a change from its page anyway

Screenshots of each page go to --artifacts.
"""
import argparse
import base64
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

WAIT_MS = 60_000


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def eventually(condition, seconds, message, pause=0.5):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # keep trying until the deadline; report the last error
            last = error
        time.sleep(pause)
    raise Failure(message + (f" (last error: {last})" if last else ""))


class Env:
    def __init__(self, args):
        self.args = args
        self.apis = args.api
        self.auth = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
        self.ports = {n: p for n, p in enumerate(args.port, start=1)}

    def get(self, base, path):
        request = urllib.request.Request(base + "/api/" + path, headers={"Authorization": self.auth})
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read().decode())

    def leader_api(self):
        """The HTTP address of whoever leads now, asked of each node in turn."""
        for base in self.apis:
            try:
                for member in self.get(base, "raft-nodes"):
                    status = member.get("Status") or {}
                    if status.get("State") == "Leader" and member.get("HTTPAddress"):
                        return member["RaftID"], member["HTTPAddress"]
            except (urllib.error.URLError, OSError, ValueError):
                continue
        return None

    def master_port(self, n):
        """Master_Port of sandbox instance n, from MariaDB itself."""
        out = subprocess.run([self.args.sandbox_script, "--dir", self.args.sandbox_dir, "sql", str(n),
                              "SHOW SLAVE STATUS\\G"], capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"SHOW SLAVE STATUS on instance {n} failed: {out.stderr.strip()}")
        match = re.search(r"Master_Port:\s*(\d+)", out.stdout)
        return int(match.group(1)) if match else None

    def key(self, n):
        return f"127.0.0.1:{self.ports[n]}"


def watch(page, problems):
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))

    def console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            problems.append(f"CSP violation on {page.url}: {text}")
    page.on("console", console)


def open_page(page, base, path):
    page.goto(base + path)
    page.wait_for_selector("body[data-loaded=true]", timeout=WAIT_MS)


def shot(page, args, name):
    page.screenshot(path=f"{args.artifacts}/{name}.png", full_page=True)
    # A missing value must never show as script debris.
    text = page.inner_text("body")
    debris = re.search(r"\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]", text)
    check(debris is None, f"the {name} page shows {debris.group(0) if debris else ''!r}: {text[:600]!r}")


def instance_box(page, env, n):
    return page.locator(f'.instance[data-key="{env.key(n)}"]')


def wait_child(page, env, child, parent):
    """The tree shows `child` directly under `parent` (the page refreshes every few seconds)."""
    selector = f'li:has(> .instance[data-key="{env.key(parent)}"]) > ul > li > .instance[data-key="{env.key(child)}"]'
    page.wait_for_selector(selector, timeout=WAIT_MS)


def scenario_pages(page, env, base, args):
    open_page(page, base, "/web/clusters")
    page.get_by_role("link", name=args.alias).first.wait_for(timeout=WAIT_MS)
    shot(page, args, "clusters")
    open_page(page, base, "/web/audit")
    page.wait_for_selector("#filter-cluster", timeout=WAIT_MS)
    page.select_option("#filter-outcome", "failed")
    page.wait_for_selector("#filter-outcome >> option:checked[value=failed]", state="attached", timeout=WAIT_MS)
    shot(page, args, "audit")


def scenario_relocate(page, env, base, args):
    check(env.master_port(4) == env.ports[3], "the sandbox starts with 4 below 3")
    open_page(page, base, f"/web/cluster/alias/{args.alias}")
    wait_child(page, env, 4, 3)
    shot(page, args, "cluster")
    instance_box(page, env, 4).drag_to(instance_box(page, env, 2))
    page.wait_for_selector("#dialog[data-state=planned]", timeout=WAIT_MS)
    plan = page.text_content("#dialog-plan")
    check("Dry run" in plan and env.key(2) in plan, f"the preview shows the dry-run plan naming the new master: {plan!r}")
    check(page.text_content("#dialog-title").startswith(f"Relocate {env.key(4)} below {env.key(2)}"), "dialog title")
    shot(page, args, "relocate-preview")
    # Nothing has moved before the operator confirms.
    time.sleep(2)
    check(env.master_port(4) == env.ports[3], "nothing moves before the operator confirms")
    page.click("#dialog-confirm")
    page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
    eventually(lambda: env.master_port(4) == env.ports[2], 60, "MariaDB: 4 replicates from 2 after the relocate")
    wait_child(page, env, 4, 2)
    shot(page, args, "relocate-done")


def scenario_refused(page, env, base, args):
    open_page(page, base, f"/web/cluster/alias/{args.alias}")
    wait_child(page, env, 4, 2)
    instance_box(page, env, 2).drag_to(instance_box(page, env, 4))
    page.wait_for_selector("#dialog[data-state=refused]", timeout=WAIT_MS)
    reason = page.text_content("#dialog-refusal")
    check(reason.startswith("Refused:") and "refused" in reason[len("Refused:"):], f"the refusal names its reason: {reason!r}")
    check(page.locator("#dialog-confirm").count() == 0, "a refused move offers no Run button")
    shot(page, args, "refused")
    page.click("#dialog-cancel")
    page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
    check(env.master_port(2) == env.ports[1], "MariaDB: 2 still replicates from 1")


def scenario_keyboard(page, env, base, args):
    open_page(page, base, f"/web/cluster/alias/{args.alias}")
    wait_child(page, env, 4, 2)
    instance_box(page, env, 4).press("Enter")
    page.wait_for_selector(f'#panel-title:text-is("{env.key(4)}")', timeout=WAIT_MS)
    page.click("#action-move-below")
    page.select_option("#move-below-target", env.key(3))
    page.click("#dialog-confirm")  # Preview
    page.wait_for_selector("#dialog[data-state=planned]", timeout=WAIT_MS)
    check(env.key(3) in page.text_content("#dialog-plan"), "the keyboard path previews the move below 3")
    page.click("#dialog-confirm")  # Run
    page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
    eventually(lambda: env.master_port(4) == env.ports[3], 60, "MariaDB: 4 replicates from 3 again")
    wait_child(page, env, 4, 3)


def scenario_replication(page, env, base, args):
    """Stop and start replica 4 from its panel, each previewed (the SQL) and run once confirmed."""
    def threads():
        out = subprocess.run([args.sandbox_script, "--dir", args.sandbox_dir, "sql", "4", "SHOW SLAVE STATUS\\G"],
                             capture_output=True, text=True, timeout=60).stdout
        io = re.search(r"Slave_IO_Running:\s*(\w+)", out)
        sql = re.search(r"Slave_SQL_Running:\s*(\w+)", out)
        return (io.group(1) if io else None, sql.group(1) if sql else None)

    open_page(page, base, f"/web/cluster/alias/{args.alias}?instance={env.key(4)}")
    page.wait_for_selector(f'#panel-title:text-is("{env.key(4)}")', timeout=WAIT_MS)
    for label, statement, expected in [("stop-replica", "STOP SLAVE", ("No", "No")), ("start-replica", "START SLAVE", ("Yes", "Yes"))]:
        page.click(f"#action-{label}")
        page.wait_for_selector("#dialog[data-state=planned]", timeout=WAIT_MS)
        check(statement in page.text_content("#dialog-plan"), f"the {label} preview shows {statement}")
        check(threads() != expected, f"nothing changes before the operator confirms {label}")
        if label == "stop-replica":
            shot(page, args, "stop-replica-preview")
        page.click("#dialog-confirm")
        page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
        eventually(lambda: threads() == expected, 60, f"MariaDB: replication threads of 4 are {expected} after {label}")
        # The panel offers the opposite action once orchd has re-read the server.
        page.wait_for_selector("#action-start-replica" if label == "stop-replica" else "#action-stop-replica", timeout=WAIT_MS)


def scenario_downtime(page, env, base, args):
    open_page(page, base, f"/web/cluster/alias/{args.alias}")
    instance_box(page, env, 3).click()
    page.wait_for_selector(f'#panel-title:text-is("{env.key(3)}")', timeout=WAIT_MS)
    page.click("#action-begin-downtime")
    page.fill("#downtime-reason", "e2e window")
    page.select_option("#downtime-duration", "30m")
    page.click("#dialog-confirm")
    page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
    host, port = env.key(3).split(":")
    eventually(lambda: env.get(base, f"instance/{host}/{port}").get("IsDowntimed"), 30, "the API reports the downtime")
    page.wait_for_selector("#panel-fields td:has-text('e2e window')", timeout=WAIT_MS)
    page.wait_for_selector("#action-end-downtime", timeout=WAIT_MS)
    shot(page, args, "instance-panel")
    # The README's picture: the tree and the top of the panel.
    page.screenshot(path=f"{args.artifacts}/readme-cluster.png", clip={"x": 0, "y": 40, "width": 1400, "height": 560})


def scenario_raft(page, env, base, args):
    for attempt in range(3):
        leader = eventually(env.leader_api, 60, "a raft leader is known")
        open_page(page, base, "/web/raft")
        page.wait_for_selector("#raft tr.leader", timeout=WAIT_MS)
        shot(page, args, "raft")
        targets = [t for t in page.locator("[data-transfer-to]").evaluate_all("els => els.map(e => e.dataset.transferTo)")
                   if t != leader[0]]
        check(targets, "the Raft view offers a transfer to a follower")
        target = targets[0]
        page.click(f'[data-transfer-to="{target}"]')
        page.wait_for_selector("#dialog:not([hidden])", timeout=WAIT_MS)
        page.click("#dialog-confirm")
        page.wait_for_selector("#dialog", state="hidden", timeout=WAIT_MS)
        try:
            eventually(lambda: (env.leader_api() or ("",))[0] == target, 30, f"{target} leads after the transfer")
        except Failure:
            if attempt < 2:
                continue  # an election got in the way: act on whoever leads now
            raise
        page.wait_for_selector(f'#raft tr.leader[data-raft-id="{target}"]', timeout=WAIT_MS)
        shot(page, args, "raft-transferred")
        return


def scenario_search(page, env, base, args):
    open_page(page, base, "/web/clusters")
    page.fill("#search", str(env.ports[4]))
    page.press("#search", "Enter")
    page.wait_for_selector("#search-results", timeout=WAIT_MS)
    shot(page, args, "search")
    page.click(f'#search-results a:text-is("{env.key(4)}")')
    page.wait_for_selector(f'#panel-title:text-is("{env.key(4)}")', timeout=WAIT_MS)


def scenario_readonly(browser, env, args, problems):
    context = browser.new_context(http_credentials={"username": "readonly", "password": "any"},
                                  viewport={"width": 1400, "height": 900})
    page = context.new_page()
    watch(page, problems)
    base = env.apis[0]
    open_page(page, base, f"/web/cluster/alias/{args.alias}")
    page.wait_for_selector(".instance", timeout=WAIT_MS)
    check(page.locator("#user .badge:text-is('read-only')").count() == 1, "the header says read-only")
    check(page.locator('[draggable="true"]').count() == 0, "nothing is draggable for a read-only user")
    instance_box(page, env, 4).click()
    page.wait_for_selector(f'#panel-title:text-is("{env.key(4)}")', timeout=WAIT_MS)
    check(page.locator("#panel-actions").count() == 0, "no instance actions for a read-only user")
    labels = page.locator("main button").evaluate_all("els => els.map(e => e.textContent)")
    check(labels == ["Preview a failover of the master"], f"the only button is the read-only failover preview: {labels}")
    shot(page, args, "readonly-cluster")
    open_page(page, base, "/web/raft")
    page.wait_for_selector("#raft tr.leader", timeout=WAIT_MS)
    check(page.locator("[data-transfer-to]").count() == 0, "no leadership transfer for a read-only user")
    host, port = env.key(4).split(":")
    status = page.evaluate("p => fetch(p).then(r => r.status)", f"/api/begin-downtime/{host}/{port}/x/y/10m")
    check(status == 403, f"the API refuses a change from the read-only user's page: HTTP {status}")
    context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", action="append", required=True, help="an orchd node's API base URL (repeat)")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, action="append", required=True, help="sandbox instance ports, 1..4 in order")
    parser.add_argument("--sandbox-script", required=True)
    parser.add_argument("--sandbox-dir", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--only", action="append", help="run only these scenarios")
    args = parser.parse_args()
    env = Env(args)
    problems = []
    order = ["pages", "relocate", "refused", "keyboard", "replication", "downtime", "raft", "search", "readonly"]
    chosen = [s for s in order if not args.only or s in args.only]
    started = time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        context = browser.new_context(http_credentials={"username": args.user, "password": args.password},
                                      viewport={"width": 1400, "height": 900})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        watch(page, problems)
        # Node 0 serves the pages, leader or not: changes reach the leader through the API's relay.
        base = env.apis[0]
        for name in chosen:
            t = time.time()
            try:
                if name == "readonly":
                    scenario_readonly(browser, env, args, problems)
                else:
                    globals()["scenario_" + name](page, env, base, args)
            except Exception as error:
                try:
                    shot(page, args, f"failed-{name}")
                except Exception:
                    pass
                print(f"FAIL {name}: {error}", file=sys.stderr)
                browser.close()
                return 1
            print(f"ok {name} ({time.time() - t:.1f} s)")
        browser.close()
    if problems:
        print("FAIL: " + "\n".join(problems), file=sys.stderr)
        return 1
    print(f"all {len(chosen)} scenarios passed in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
