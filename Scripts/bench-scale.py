"""Driver of Scripts/bench-scale (see its --help): the simulator, orchd node(s), measurements."""
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request

BIN = os.environ["BENCH_BIN"]
SIZES = [int(s) for s in os.environ["BENCH_SIZES"].split(",") if s]
POLLS = [int(s) for s in os.environ["BENCH_POLLS"].split(",") if s]
CLUSTER = int(os.environ["BENCH_CLUSTER_SIZE"])
WINDOW = float(os.environ["BENCH_WINDOW"])
GROUP = os.environ["BENCH_GROUP"] == "1"
DETECT_RUNS = int(os.environ["BENCH_DETECT_RUNS"])
SIM_BASE, CONTROL_BASE, SHARD = 41000, 51900, 5000
API_PORT, RAFT_PORT = 39501, 39511
PASSWORD = "bench_scale_pw"


class BenchFailure(Exception):
    pass


def log(*args):
    print("bench-scale:", *args, file=sys.stderr, flush=True)


def wait_for(limit, what, check, interval=0.2):
    deadline = time.monotonic() + limit
    while True:
        try:
            value = check()
            if value:
                return value
        except BenchFailure:
            raise
        except Exception:  # noqa: BLE001 - any other failure means "not yet"
            pass
        if time.monotonic() >= deadline:
            raise BenchFailure(f"timed out after {limit:.0f}s waiting for {what}")
        time.sleep(interval)


def http_get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def control(port, line):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((line + "\n").encode())
        reply = s.makefile().readline().strip()
    if not reply.startswith("OK"):
        raise BenchFailure(f"simulator control '{line}': {reply}")
    return reply


def metrics(api):
    """name{labels} -> value for the series this bench reads."""
    out = {}
    for line in http_get(api + "/metrics").decode().splitlines():
        if line.startswith("orchd_discovery") or line.startswith("orchd_raft_last_index") or line.startswith("orchd_cluster_instances"):
            key, _, value = line.rpartition(" ")
            out[key] = out.get(key, 0.0) + float(value) if key.startswith("orchd_cluster_instances") else float(value)
    return out


def known_instances(api):
    return sum(v for k, v in metrics(api).items() if k.startswith("orchd_cluster_instances"))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def histogram(m, name):
    buckets = []
    for k, v in m.items():
        match = re.match(name + r'_bucket\{le="([^"]+)"\}', k)
        if match:
            buckets.append((float("inf") if match.group(1) == "+Inf" else float(match.group(1)), v))
    return sorted(buckets)


def quantile(before, after, q):
    """(quantile, upper bound of the highest non-empty bucket) of the observations between two scrapes."""
    delta = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
    total = delta[-1][1] if delta else 0
    if total <= 0:
        raise BenchFailure("no poll round completed in the window")
    rank, previous_le, previous_count, result = q * total, 0.0, 0.0, None
    for le, count in delta:
        if count >= rank and result is None:
            if le == float("inf"):
                result = previous_le
            else:
                result = previous_le + (le - previous_le) * ((rank - previous_count) / max(count - previous_count, 1e-9))
        if count > previous_count:
            highest = le
        previous_le, previous_count = le, count
    return result, highest


def timed_ms(fn, runs):
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


class Point:
    def __init__(self, size, poll, group=None, cluster=None):
        self.size, self.poll = size, poll
        self.group = GROUP if group is None else group
        self.cluster = CLUSTER if cluster is None else cluster
        self.clusters = size // self.cluster
        self.dir = tempfile.mkdtemp(prefix=f"orchd-bench-scale-{size}-{poll}.")
        self.procs = []
        self.nodes = []  # (api, pid, dir)
        self.name = f"scale_{size}_poll{poll}"

    def start_simulator(self):
        shard_clusters = max(1, SHARD // self.cluster) if not self.group else max(1, 3000 // self.cluster)
        env = dict(os.environ, ORCHD_FLEET_SIM_PASSWORD=PASSWORD)
        self.shards = []  # (first port, last port, control port)
        c, index = 0, 0
        while c < self.clusters:
            n = min(shard_clusters, self.clusters - c)
            base, ctl = SIM_BASE + c * self.cluster, CONTROL_BASE + index
            out = open(f"{self.dir}/sim{index}.log", "w")
            p = subprocess.Popen([f"{BIN}/orchd-fleet-sim", "--clusters", str(n), "--cluster-size", str(self.cluster),
                                  "--base-port", str(base), "--control-port", str(ctl), "--alias-prefix", f"fleet{index}"],
                                 stdout=out, stderr=subprocess.STDOUT, env=env)
            self.procs.append(p)
            self.shards.append((base, base + n * self.cluster - 1, ctl, p))
            c += n
            index += 1
        for index, (base, last, ctl, p) in enumerate(self.shards):
            def ready():
                text = open(f"{self.dir}/sim{index}.log").read()
                if p.poll() is not None:
                    raise BenchFailure(f"the simulator on {base}-{last} exited: {text.strip()[-300:]}")
                return "READY" in text
            wait_for(120, f"simulator on {base}-{last}", ready)
        log(f"{self.size} simulated servers up in {len(self.shards)} process(es)")

    def shard_of(self, port):
        for base, last, ctl, _ in self.shards:
            if base <= port <= last:
                return ctl
        raise BenchFailure(f"no shard serves {port}")

    def alias_of(self, cluster):
        shard_clusters = (self.shards[0][1] - self.shards[0][0] + 1) // self.cluster
        return f"fleet{cluster // shard_clusters}-{cluster % shard_clusters:05d}"

    def start_orchd(self):
        count = 3 if self.group else 1
        seeds = [f"127.0.0.1:{SIM_BASE + c * self.cluster}" for c in range(self.clusters)]
        raft_nodes = [f"127.0.0.{i}:{RAFT_PORT + i - 1}" for i in range(1, count + 1)]
        env = dict(os.environ, ORCHD_TOPOLOGY_PASSWORD=PASSWORD)
        for i in range(1, count + 1):
            d = f"{self.dir}/node{i}"
            os.makedirs(d)
            host = f"127.0.0.{i}" if self.group else "127.0.0.1"
            api = f"http://{host}:{API_PORT + i - 1}"
            conf = {
                "ListenAddress": f"{host}:{API_PORT + i - 1}", "HTTPAdvertise": api,
                "MySQLTopologyUser": "orc_topology", "MySQLTopologyPassword": "${ORCHD_TOPOLOGY_PASSWORD}",
                "MySQLConnectTimeoutSeconds": 1, "BackendDB": "sqlite", "SQLite3DataFile": f"{d}/orchestrator.sqlite3",
                "InstancePollSeconds": self.poll, "DiscoverByShowSlaveHosts": True, "DiscoverySeeds": seeds,
                "DetectClusterAliasQuery": "SELECT cluster_name FROM meta.cluster WHERE anchor = 1",
                "RecoverMasterClusterFilters": [], "RecoverIntermediateMasterClusterFilters": [],
            }
            if self.group:
                conf.update({"RaftEnabled": True, "RaftDataDir": f"{d}/raft", "RaftBind": raft_nodes[i - 1],
                             "RaftAdvertise": raft_nodes[i - 1], "DefaultRaftPort": RAFT_PORT + i - 1, "RaftNodes": raft_nodes})
            else:
                conf.update({"RaftEnabled": False, "DefaultRaftPort": RAFT_PORT})
            with open(f"{d}/orchestrator.conf.json", "w") as f:
                json.dump(conf, f, indent=1)
            out = open(f"{d}/orchd.log", "w")
            p = subprocess.Popen([f"{BIN}/orchd", "--config", f"{d}/orchestrator.conf.json"], stdout=out,
                                 stderr=subprocess.STDOUT, env=env)
            self.procs.append(p)
            self.nodes.append((api, p, d))

    def leader(self):
        def find():
            for api, p, d in self.nodes:
                try:
                    http_get(api + "/api/leader-check", timeout=5)  # 200 on the leader, 404 elsewhere
                    return api, p, d
                except (urllib.error.URLError, OSError):
                    continue
            return None
        return wait_for(60, "a leader", find, interval=0.5)

    def run(self):
        self.start_simulator()
        started = time.monotonic()
        self.start_orchd()
        api, p, d = self.leader()
        for node_api, _, _ in self.nodes:
            wait_for(600, f"{node_api} to know all {self.size} servers", lambda: known_instances(node_api) >= self.size, interval=2)
        log(f"{self.size} servers discovered by every node in {time.monotonic() - started:.1f}s")
        time.sleep(max(3, 2 * self.poll))  # a few full rounds before measuring
        api, p, d = self.leader()
        m0, cpu0, t0 = metrics(api), cpu_seconds(p.pid), time.monotonic()
        time.sleep(WINDOW)
        m1, cpu1, t1 = metrics(api), cpu_seconds(p.pid), time.monotonic()
        elapsed = t1 - t0
        p99, worst = quantile(histogram(m0, "orchd_discovery_poll_round_seconds"),
                              histogram(m1, "orchd_discovery_poll_round_seconds"), 0.99)
        rows = (m1.get("orchd_discovery_stored_rows_total", 0) - m0.get("orchd_discovery_stored_rows_total", 0)) / elapsed
        tx = (m1.get("orchd_discovery_store_transactions_total", 0) - m0.get("orchd_discovery_store_transactions_total", 0)) / elapsed
        raft = (m1.get("orchd_raft_last_index", 0) - m0.get("orchd_raft_last_index", 0)) * 3600 / elapsed
        wal = f"{d}/orchestrator.sqlite3-wal"
        wal_mb = os.path.getsize(wal) / 1e6 if os.path.exists(wal) else 0.0
        bench(self.name, "poll_round_p99_ms", p99 * 1000, "ms", f"InstancePollSeconds {self.poll}")
        bench(self.name, "poll_round_max_ms", worst * 1000, "ms", "bucket upper bound")
        bench(self.name, "cpu_cores", (cpu1 - cpu0) / elapsed, "cores", f"over {elapsed:.0f} s")
        bench(self.name, "rss_mb", rss_mb(p.pid), "MB")
        bench(self.name, "rss_max_mb", max(rss_mb(q.pid) for _, q, _ in self.nodes), "MB", f"{len(self.nodes)} node(s)")
        bench(self.name, "sqlite_rows_per_s", rows, "rows/s")
        bench(self.name, "sqlite_tx_per_s", tx, "tx/s")
        bench(self.name, "sqlite_wal_mb", wal_mb, "MB")
        bench(self.name, "raft_entries_per_hour", raft, "entries/h")

        alias = self.alias_of(0)
        bench(self.name, "api_cluster_ms", timed_ms(lambda: http_get(f"{api}/api/cluster/{alias}"), 20), "ms")
        bench(self.name, "api_analysis_ms", timed_ms(lambda: http_get(f"{api}/api/replication-analysis"), 10), "ms")
        client_env = dict(os.environ, ORCHESTRATOR_API=" ".join(a for a, _, _ in self.nodes))
        bench(self.name, "cli_clusters_ms", timed_ms(lambda: subprocess.run(
            [f"{BIN}/orchestrator-client", "-c", "clusters"], check=True, stdout=subprocess.DEVNULL, env=client_env), 20), "ms")

        detections = []
        for run in range(DETECT_RUNS):
            cluster = (run * 7 + 1) % self.clusters
            port, alias = SIM_BASE + cluster * self.cluster, self.alias_of(cluster)
            key = f"127.0.0.1:{port}"
            api, p, d = self.leader()

            def dead():
                body = json.loads(http_get(f"{api}/api/replication-analysis/{alias}", timeout=10))
                entries = body.get("Details") or [] if isinstance(body, dict) else body
                return any(e.get("Analysis") == "DeadMaster" and
                           f'{e["AnalyzedInstanceKey"]["Hostname"]}:{e["AnalyzedInstanceKey"]["Port"]}' == key for e in entries)
            if dead():
                raise BenchFailure(f"{key} shows DeadMaster before it was killed")
            t = time.perf_counter()
            control(self.shard_of(port), f"kill {port}")
            wait_for(60, f"DeadMaster on {key}", dead, interval=0.01)
            detections.append((time.perf_counter() - t) * 1000)
            control(self.shard_of(port), f"revive {port}")
        if detections:
            bench(self.name, "detect_ms", statistics.median(detections), "ms", f"median of {len(detections)}")
            bench(self.name, "detect_max_ms", max(detections), "ms")

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


def bench(prefix, metric, value, unit, note=""):
    print(f"BENCH {prefix}_{metric} {value:.2f} {unit}" + (f" ({note})" if note else ""), flush=True)


def measuring(point, what, body):
    """Runs body(point); on failure keeps the point's logs (and says where); always stops its processes."""
    try:
        body(point)
    except BaseException:
        log(f"{what} failed; logs kept in {point.dir}")
        os.environ["BENCH_KEEP"] = "1"
        raise
    finally:
        point.stop()


def idle(point):
    """A 3-node group over one 4-server cluster, polled every second: each node's CPU over 30 s and its RSS."""
    point.start_simulator()
    point.start_orchd()
    point.leader()
    for node_api, _, _ in point.nodes:
        wait_for(120, f"{node_api} to know the 4 servers", lambda: known_instances(node_api) >= 4, interval=1)
    time.sleep(5)
    before = [(cpu_seconds(p.pid), time.monotonic()) for _, p, _ in point.nodes]
    # RSS once a second over the window (a node drops its code pages now and then, so one sample
    # would depend on when it is taken): each node's median, and the highest sample of all.
    samples = [[] for _ in point.nodes]
    for _ in range(30):
        time.sleep(1)
        for i, (_, p, _) in enumerate(point.nodes):
            samples[i].append(rss_mb(p.pid))
    cpu = [100 * (cpu_seconds(p.pid) - c0) / (time.monotonic() - t0) for (c0, t0), (_, p, _) in zip(before, point.nodes)]
    rss = [statistics.median(s) for s in samples]
    peak = max(max(s) for s in samples)
    bench("idle", "rss_mb", max(rss), "MB", "largest median of 3 nodes, sampled each second over 30 s; "
          + ", ".join(f"{r:.1f}" for r in rss) + f"; highest sample {peak:.1f}")
    bench("idle", "cpu_percent", max(cpu), "% of a core", "busiest of 3 nodes over 30 s; " + ", ".join(f"{c:.2f}" for c in cpu))


def main():
    if os.environ.get("BENCH_IDLE", "1") == "1":
        measuring(Point(4, 1, group=True, cluster=4), "the idle measurement", idle)
    for size in SIZES:
        if size % CLUSTER:
            raise BenchFailure(f"size {size} is not a multiple of the cluster size {CLUSTER}")
        for poll in POLLS:
            measuring(Point(size, poll), f"the point at {size} servers, poll {poll}", Point.run)


try:
    main()
except BenchFailure as e:
    log(str(e))
    sys.exit(1)
