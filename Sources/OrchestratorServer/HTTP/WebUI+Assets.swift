// The web UI's three files, compiled into orchd so a node needs nothing beside its binary.
// Edit them here; `node --check` on the script is a quick syntax check.

enum WebAssets {
    static let indexHTML = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orchd</title>
<link rel="stylesheet" href="/web/static/app.css">
</head>
<body>
<header><a href="/web/clusters">orchd</a><span id="node"></span><span id="flash"></span></header>
<main id="main"><p>Loading...</p></main>
<noscript><p>This page needs JavaScript. The same data is in the API: /api/clusters-info, /api/cluster/:alias.</p></noscript>
<script src="/web/static/app.js"></script>
</body>
</html>
"""#

    static let appCSS = #"""
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 1.5em; align-items: center; padding: 0.6em 1.2em; background: #1d2330; color: #e8ebf0; }
header a { color: #fff; font-weight: 600; text-decoration: none; }
#node { font-size: 0.9em; }
main { padding: 1em 1.5em; }
h1 { font-size: 1.4em; margin: 0.4em 0; }
h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 0.35em 0.8em; border-bottom: 1px solid #e2e5ea; vertical-align: top; }
td.num { text-align: right; }
a { color: #1f5fbf; }
.badge { display: inline-block; padding: 0 0.45em; margin: 0 0.15em; border-radius: 0.6em; font-size: 0.82em;
  background: #e2e5ea; color: #1d2330; }
.badge.ok { background: #d6f0dc; color: #135c26; }
.badge.bad { background: #fadbd8; color: #8a1c12; }
.badge.warn { background: #fcefd0; color: #7a4d00; }
.badge.info { background: #dbe7fa; color: #173f7a; }
.dim { color: #6b7280; }
.error { color: #8a1c12; font-size: 0.88em; }
ul.tree { list-style: none; padding-left: 1.4em; border-left: 1px dashed #c3c8d0; margin: 0.2em 0; }
ul.tree > li { margin: 0.25em 0; }
.instance { background: #fff; display: inline-block; padding: 0.3em 0.6em; border: 1px solid #dfe3e8; border-radius: 4px; }
pre.plan { background: #fff; border: 1px solid #dfe3e8; padding: 0.8em; white-space: pre-wrap; max-width: 110ch; }
pre.plan:empty { display: none; }
button { padding: 0.35em 0.9em; cursor: pointer; }
button.small { padding: 0 0.5em; font-size: 0.8em; margin-left: 0.4em; }
#flash { margin-left: auto; }
"""#

    static let appJS = #"""
// orchd's web UI: a read-only dashboard over the node's own /api. No framework, no external
// resources; every value from the API is inserted as text, never as HTML.
'use strict';
(function () {
  const REFRESH_MS = 5000;
  const main = document.getElementById('main');
  const nodeBox = document.getElementById('node');
  let timer = null;

  function api(path) {
    return fetch('/api/' + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.text().then(function (text) {
          let body = text;
          try { body = JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
          if (!response.ok) {
            const message = body && body.Message ? body.Message : 'HTTP ' + response.status;
            throw new Error(message);
          }
          return body;
        });
      });
  }

  // el('td', {class: 'x'}, 'text', otherNode): children are text or nodes.
  function el(tag, attrs) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'onclick') { node.addEventListener('click', attrs[name]); } else { node.setAttribute(name, attrs[name]); }
    });
    const add = function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) { child.forEach(add); return; }
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    };
    for (let i = 2; i < arguments.length; i++) add(arguments[i]);
    return node;
  }

  function badge(text, kind) { return el('span', { class: 'badge ' + (kind || '') }, text); }
  function keyText(key) { return key && key.Hostname ? key.Hostname + ':' + key.Port : ''; }
  function clusterLink(name, label) { return el('a', { href: '/web/cluster/' + encodeURIComponent(name) }, label || name); }

  const flashBox = document.getElementById('flash');
  function flash(text, bad) {
    flashBox.replaceChildren(text ? el('span', { class: 'badge ' + (bad ? 'bad' : 'ok') }, text) : '');
  }

  // Runs a change through the API (the leader applies it), says how it went, and redraws.
  function act(what, path) {
    flash(what + '...');
    return api(path).then(function (r) {
      flash(what + ': ' + (r && r.Message ? r.Message : 'done'));
    }).catch(function (e) {
      flash(what + ' failed: ' + e.message, true);
    }).then(function () { return route()().catch(showError); });
  }

  function ask(question, fallback) {
    const answer = window.prompt(question, fallback || '');
    return answer === null ? null : answer.trim();
  }

  function showError(error) {
    main.replaceChildren(el('p', { class: 'error' }, 'Cannot load: ' + error.message));
  }

  function renderNode() {
    return api('raft-status').then(function (s) {
      const kind = s.State === 'Leader' ? 'ok' : (s.IsPartOfQuorum ? 'info' : 'bad');
      nodeBox.replaceChildren(
        badge(s.State, kind), ' ', s.RaftAdvertise,
        s.IsPartOfQuorum ? '' : badge('not part of a quorum', 'bad'),
        ' leader: ', s.Leader || 'none', ' term ', String(s.Term));
    }).catch(function (e) { nodeBox.replaceChildren(badge('unreachable: ' + e.message, 'bad')); });
  }

  function problemsByCluster(analysis) {
    const result = {};
    (analysis.Details || []).forEach(function (a) {
      if (a.Analysis === 'NoProblem') return;
      const name = a.ClusterDetails.ClusterName;
      (result[name] = result[name] || []).push(a);
    });
    return result;
  }

  function showClusters() {
    return Promise.all([api('clusters-info'), api('replication-analysis')]).then(function (r) {
      const clusters = r[0] || [];
      const problems = problemsByCluster(r[1]);
      document.title = 'orchd: clusters';
      const rows = clusters.map(function (c) {
        const issues = (problems[c.ClusterName] || []).map(function (a) {
          return badge(a.Analysis + ' ' + keyText(a.AnalyzedInstanceKey), 'bad');
        });
        return el('tr', {},
          el('td', {}, clusterLink(c.ClusterName, c.ClusterAlias || c.ClusterName)),
          el('td', {}, c.ClusterName),
          el('td', { class: 'num' }, c.CountInstances),
          el('td', {}, c.HasAutomatedMasterRecovery ? badge('auto', 'ok') : badge('manual')),
          el('td', {}, c.HasAutomatedIntermediateMasterRecovery ? badge('auto', 'ok') : badge('manual')),
          el('td', {}, issues.length ? issues : badge('no problem', 'ok')));
      });
      main.replaceChildren(
        el('h1', {}, 'Clusters'),
        clusters.length === 0 ? el('p', {}, 'No cluster is known yet: orchestrator-client -c discover -i host:port')
          : el('table', {},
            el('thead', {}, el('tr', {}, el('th', {}, 'Alias'), el('th', {}, 'Cluster'), el('th', {}, 'Instances'),
              el('th', {}, 'Master recovery'), el('th', {}, 'Intermediate recovery'), el('th', {}, 'Problems'))),
            el('tbody', {}, ...rows)));
    });
  }

  // Instances as a forest: children under their master; a co-master ring is entered once.
  function buildForest(instances) {
    const byKey = {};
    instances.forEach(function (i) { byKey[keyText(i.Key)] = i; });
    const children = {};
    const roots = [];
    instances.forEach(function (i) {
      const master = keyText(i.MasterKey);
      if (master && byKey[master] && master !== keyText(i.Key)) {
        (children[master] = children[master] || []).push(i);
      } else {
        roots.push(i);
      }
    });
    if (roots.length === 0 && instances.length > 0) {
      roots.push(instances.find(function (i) { return !i.ReadOnly; }) || instances[0]);
    }
    const byName = function (a, b) { return keyText(a.Key) < keyText(b.Key) ? -1 : 1; };
    Object.keys(children).forEach(function (k) { children[k].sort(byName); });
    return { roots: roots.sort(byName), children: children };
  }

  function instanceLine(i) {
    const parts = [el('strong', {}, keyText(i.Key))];
    if (!i.IsLastCheckValid) parts.push(badge('unreachable', 'bad'));
    parts.push(badge(i.ReadOnly ? 'read-only' : 'writable', i.ReadOnly ? '' : 'ok'));
    if (keyText(i.MasterKey)) {
      const io = i.ReplicationIOThreadRuning, sql = i.ReplicationSQLThreadRuning;
      if (!io || !sql) parts.push(badge((io ? '' : 'IO ') + (sql ? '' : 'SQL ') + 'stopped', 'bad'));
      const lag = i.SecondsBehindMaster;
      if (lag && lag.Valid) parts.push(badge('lag ' + lag.Int64 + 's', lag.Int64 > 10 ? 'warn' : ''));
    }
    if (i.IsCoMaster) parts.push(badge('co-master', 'info'));
    if (i.IsDowntimed) parts.push(badge('downtimed', 'warn'));
    if (i.IsUnderMaintenance) parts.push(badge('maintenance', 'warn'));
    if (i.GtidErrant) parts.push(badge('errant GTID ' + i.GtidErrant, 'bad'));
    if (i.PromotionRule && i.PromotionRule !== 'neutral') parts.push(badge(i.PromotionRule, 'info'));
    parts.push(el('span', { class: 'dim' }, ' ' + (i.Version || '') + (i.DataCenter ? ' dc ' + i.DataCenter : '')));
    const errors = [i.LastIOError, i.LastSQLError].filter(Boolean);
    if (!i.IsLastCheckValid && i.LastError) errors.push(i.LastError);
    const where = encodeURIComponent(i.Key.Hostname) + '/' + i.Key.Port;
    const action = i.IsDowntimed
      ? el('button', { class: 'small', onclick: function () { act('end downtime of ' + keyText(i.Key), 'end-downtime/' + where); } },
        'end downtime')
      : el('button', {
        class: 'small', onclick: function () {
          const reason = ask('Downtime ' + keyText(i.Key) + ' for 1 hour (no recovery acts on it). Reason?', 'maintenance');
          if (reason) act('downtime of ' + keyText(i.Key), 'begin-downtime/' + where + '/webui/' + encodeURIComponent(reason) + '/1h');
        }
      }, 'downtime');
    return el('div', { class: 'instance' }, ...parts, ' ', action,
      errors.length ? el('div', { class: 'error' }, errors.join(' | ')) : null);
  }

  function treeList(nodes, forest, seen) {
    return el('ul', { class: 'tree' }, ...nodes.map(function (i) {
      const key = keyText(i.Key);
      if (seen[key]) return el('li', {}, el('span', { class: 'dim' }, key + ' (co-master, above)'));
      seen[key] = true;
      const below = forest.children[key] || [];
      return el('li', {}, instanceLine(i), below.length ? treeList(below, forest, seen) : null);
    }));
  }

  function recoveryTable(recoveries) {
    if (!recoveries.length) return el('p', { class: 'dim' }, 'No recovery recorded.');
    return el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Id'), el('th', {}, 'Started'), el('th', {}, 'Failure'),
        el('th', {}, 'Failed'), el('th', {}, 'Successor'), el('th', {}, 'Outcome'), el('th', {}, 'Acknowledged'))),
      el('tbody', {}, ...recoveries.slice(0, 20).map(function (r) {
        return el('tr', {},
          el('td', { class: 'num' }, r.Id),
          el('td', {}, String(r.RecoveryStartTimestamp || '')),
          el('td', {}, r.AnalysisEntry ? r.AnalysisEntry.Analysis : ''),
          el('td', {}, r.AnalysisEntry ? keyText(r.AnalysisEntry.AnalyzedInstanceKey) : ''),
          el('td', {}, keyText(r.SuccessorKey)),
          el('td', {}, r.IsActive ? badge('running', 'info') : (r.IsSuccessful ? badge('succeeded', 'ok') : badge('failed', 'bad'))),
          el('td', {}, r.Acknowledged ? (r.AcknowledgedBy || 'yes') + (r.AcknowledgedComment ? ': ' + r.AcknowledgedComment : '')
            : el('button', {
              class: 'small', onclick: function () {
                const comment = ask('Acknowledge recovery ' + r.Id + ' (lifts the block on the next one). Comment?', '');
                if (comment) act('acknowledge recovery ' + r.Id, 'ack-recovery/' + encodeURIComponent(r.UID) + '?comment=' + encodeURIComponent(comment));
              }
            }, 'acknowledge')));
      })));
  }

  // Each detection with what policy (or a peer's second opinion) decided: why a failure was or was
  // not recovered.
  function detectionTable(detections) {
    if (!detections.length) return el('p', { class: 'dim' }, 'No failure detected.');
    return el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Detected'), el('th', {}, 'Failure'), el('th', {}, 'Server'),
        el('th', {}, 'Decision'))),
      el('tbody', {}, ...detections.slice(0, 20).map(function (d) {
        const a = d.AnalysisEntry || {};
        return el('tr', {},
          el('td', {}, d.DetectionTimestamp || ''),
          el('td', {}, a.Analysis || ''),
          el('td', {}, keyText(a.AnalyzedInstanceKey)),
          el('td', {}, d.RecoveryAllowed ? badge('recover', 'ok') : badge('held back', 'warn'), ' ', d.RecoveryAllowed ? '' : (d.Decision || '')));
      })));
  }

  function showCluster(hint) {
    return Promise.all([api('cluster-info/' + encodeURIComponent(hint)), api('cluster/' + encodeURIComponent(hint))])
      .then(function (r) {
        const info = r[0], instances = r[1] || [];
        const name = info.ClusterName;
        document.title = 'orchd: ' + (info.ClusterAlias || name);
        return Promise.all([api('replication-analysis/' + encodeURIComponent(name)),
          api('audit-recovery/cluster/' + encodeURIComponent(info.ClusterAlias || name)),
          api('audit-failure-detection/alias/' + encodeURIComponent(info.ClusterAlias || name))]).then(function (more) {
          const problems = (more[0].Details || []).filter(function (a) { return a.Analysis !== 'NoProblem'; });
          const forest = buildForest(instances);
          const plan = el('pre', { class: 'plan', id: 'plan' });
          const preview = el('button', {
            onclick: function () {
              plan.textContent = 'planning...';
              api('failover-plan/' + encodeURIComponent(name)).then(function (p) {
                plan.textContent = typeof p.Details === 'string' ? p.Details : JSON.stringify(p.Details, null, 2);
              }).catch(function (e) { plan.textContent = e.message; });
            }
          }, 'Preview a failover of the master');
          main.replaceChildren(
            el('p', {}, el('a', { href: '/web/clusters' }, 'Clusters'), ' / ', info.ClusterAlias || name),
            el('h1', {}, info.ClusterAlias || name, ' ', el('span', { class: 'dim' }, name)),
            el('p', {},
              'Master recovery: ', info.HasAutomatedMasterRecovery ? badge('automated', 'ok') : badge('manual'),
              ' Intermediate master recovery: ', info.HasAutomatedIntermediateMasterRecovery ? badge('automated', 'ok') : badge('manual')),
            problems.length ? el('div', { class: 'problems' }, ...problems.map(function (a) {
              return el('p', {}, badge(a.Analysis, 'bad'), ' ', keyText(a.AnalyzedInstanceKey), ' ', a.Description || '');
            })) : el('p', {}, badge('no problem', 'ok')),
            el('h2', {}, 'Topology'),
            treeList(forest.roots, forest, {}),
            el('h2', {}, 'Failover preview'),
            el('p', { class: 'dim' }, 'Which replica would win if the master died now, why the others lose, and what would be lost. Changes nothing.'),
            preview, plan,
            el('h2', {}, 'Recoveries'),
            recoveryTable(more[1] || []),
            el('h2', {}, 'Failures this node detected'),
            detectionTable(more[2] || []));
        });
      });
  }

  function route() {
    const path = decodeURIComponent(location.pathname);
    const alias = path.match(/^\/web\/cluster\/alias\/(.+)$/);
    const cluster = path.match(/^\/web\/cluster\/(.+)$/);
    if (alias) return function () { return showCluster(alias[1]); };
    if (cluster) return function () { return showCluster(cluster[1]); };
    return showClusters;
  }

  function refresh() {
    const view = route();
    // The failover preview stays put while the rest refreshes.
    const plan = document.getElementById('plan');
    if (plan && plan.textContent) return renderNode();
    return Promise.all([renderNode(), view().catch(showError)]);
  }

  refresh();
  timer = setInterval(refresh, REFRESH_MS);
  window.addEventListener('beforeunload', function () { clearInterval(timer); });
})();
"""#
}
