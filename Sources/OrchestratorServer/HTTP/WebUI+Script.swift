// The web UI's script, first part (see WebUI+Assets.swift for the page and the style sheet), compiled into orchd.

extension WebAssets {
    /// The whole script: the shell (API calls, dialogs, header, clusters, topology) then the panels and
    /// views (WebUI+ScriptPanels.swift), one IIFE split across two files only to keep each readable.
    static let appJS = appJSShell + "\n" + appJSPanels

    static let appJSShell = #"""
// orchd's web UI over the node's own /api: clusters, topology you can act on (drag a replica onto its
// new master, or select it and "move below..."), an instance panel, Raft, recoveries and audit, search.
// No framework, no external resources, no inline script or style; every value from the API is
// inserted as text (textContent / text nodes), never as HTML. Every change is previewed first when
// the API has a dry run for it (?noop=true), and runs only after the operator confirms.
'use strict';
(function () {
  const REFRESH_MS = 5000;
  const main = document.getElementById('main');
  const nodeBox = document.getElementById('node');
  const userBox = document.getElementById('user');
  const flashBox = document.getElementById('flash');
  // Who we are to the API. Until it answers, nobody gets action buttons.
  let session = { User: '', MayChange: false, Reason: 'checking permissions' };
  let dragging = null;
  // A mouse button held on a server: a drag may be starting, so the tree is not redrawn under it.
  let holding = false;
  let paused = false;
  let timer = null;

  function api(path) {
    return fetch('/api/' + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.text().then(function (text) {
          let body = text;
          try { body = JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
          if (!response.ok) {
            const message = body && body.Message ? body.Message : (typeof body === 'string' && body ? body : 'HTTP ' + response.status);
            throw new Error(message);
          }
          return body;
        });
      });
  }

  // el('td', {class: 'x', onclick: f}, 'text', otherNode): attributes are set as attributes (never
  // as HTML), on* as listeners; children are text or nodes.
  function el(tag, attrs) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      const value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name.indexOf('on') === 0 && typeof value === 'function') { node.addEventListener(name.slice(2), value); } else { node.setAttribute(name, value === true ? '' : String(value)); }
    });
    const add = function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) { child.forEach(add); return; }
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    };
    for (let i = 2; i < arguments.length; i++) add(arguments[i]);
    return node;
  }

  // replaceChildren would show a null as the text "null": leave absent parts out.
  function present() { return Array.prototype.filter.call(arguments, function (c) { return c !== null && c !== undefined && c !== false; }); }
  function badge(text, kind) { return el('span', { class: 'badge ' + (kind || '') }, text); }
  function keyText(key) { return key && key.Hostname ? key.Hostname + ':' + key.Port : ''; }
  function keyPath(key) { return encodeURIComponent(key.Hostname) + '/' + encodeURIComponent(String(key.Port)); }
  function clusterHref(name) { return '/web/cluster/' + encodeURIComponent(name); }
  function clusterLink(name, label) { return el('a', { href: clusterHref(name) }, label || name); }
  function withNoop(path) { return path + (path.indexOf('?') < 0 ? '?' : '&') + 'noop=true'; }
  function button(label, onclick, extra) {
    const attrs = Object.assign({ type: 'button', onclick: onclick }, extra || {});
    return el('button', attrs, label);
  }
  // Action buttons exist only for users the API lets change things (it refuses the others anyway).
  function action(label, onclick, extra) { return session.MayChange ? button(label, onclick, extra) : null; }

  function flash(text, bad) {
    flashBox.replaceChildren(text ? el('span', { class: 'badge ' + (bad ? 'bad' : 'ok'), id: 'flash-text' }, text) : '');
  }

  function showError(error) {
    main.replaceChildren(el('p', { class: 'error' }, 'Cannot load: ' + error.message));
  }

  // MARK: the confirmation dialog

  const dialog = el('div', { id: 'dialog', class: 'dialog', role: 'dialog', 'aria-modal': 'true', hidden: true });
  document.body.appendChild(dialog);

  function closeDialog() {
    dialog.hidden = true;
    dialog.replaceChildren();
    paused = false;
  }

  // Opens the dialog: title, body nodes, and a confirm button running `run` (a function returning a
  // promise) when given. Escape or Cancel closes it and changes nothing.
  function openDialog(title, body, confirmLabel, run) {
    paused = true;
    dialog.removeAttribute('data-state');
    const cancel = button('Cancel', closeDialog, { id: 'dialog-cancel' });
    const confirm = run ? button(confirmLabel, function () {
      confirm.disabled = true;
      cancel.disabled = true;
      status.textContent = 'running...';
      run().then(function (next) { if (next !== 'keep') { closeDialog(); refreshNow(); } }, function (e) {
        status.textContent = 'failed: ' + e.message;
        status.className = 'error';
        cancel.disabled = false;
        cancel.textContent = 'Close';
      });
    }, { id: 'dialog-confirm', class: 'primary' }) : null;
    const status = el('p', { id: 'dialog-status', class: 'dim' });
    dialog.replaceChildren(el('div', { class: 'dialog-box' },
      el('h2', { id: 'dialog-title' }, title), el('div', { id: 'dialog-body' }, body), status,
      el('div', { class: 'dialog-buttons' }, confirm, cancel)));
    dialog.hidden = false;
    (confirm || cancel).focus();
    return { status: status, confirm: confirm };
  }

  function linesOf(details) {
    if (details === null || details === undefined) return [];
    if (Array.isArray(details)) return details.map(function (d) { return typeof d === 'string' ? d : JSON.stringify(d); });
    if (typeof details === 'string') return [details];
    return [JSON.stringify(details, null, 2)];
  }

  // Asks the API for the dry run of `path`, shows the plan (steps and SQL, secrets masked by the
  // API) or the refusal and its reason, and runs `path` only when the operator confirms.
  function previewThenRun(title, path, done) {
    const plan = el('pre', { class: 'plan', id: 'dialog-plan' }, 'asking orchd for the plan...');
    const shown = openDialog(title, [plan], 'Run', null);
    api(withNoop(path)).then(function (r) {
      if (!plan.isConnected) return;
      plan.replaceChildren(el('strong', {}, r.Message || 'plan'), '\n', linesOf(r.Details).join('\n'));
      dialog.setAttribute('data-state', 'planned');
      const confirm = button('Run', function () {
        confirm.disabled = true;
        shown.status.textContent = 'running...';
        api(path).then(function (result) {
          flash(title + ': ' + (result && result.Message ? result.Message : 'done'));
          closeDialog();
          refreshNow();
          if (done) done(result);
        }, function (e) {
          shown.status.textContent = 'failed: ' + e.message;
          shown.status.className = 'error';
        });
      }, { id: 'dialog-confirm', class: 'primary' });
      dialog.querySelector('.dialog-buttons').prepend(confirm);
      confirm.focus();
    }, function (e) {
      if (!plan.isConnected) return;
      dialog.setAttribute('data-state', 'refused');
      plan.replaceChildren(el('span', { class: 'refusal', id: 'dialog-refusal' }, 'Refused: ' + e.message));
    });
  }

  // A change with no dry run (it changes orchd's records, not MySQL): confirm, then run.
  function confirmThenRun(title, description, path) {
    openDialog(title, [el('p', {}, description)], 'Confirm', function () {
      return api(path).then(function (r) { flash(title + ': ' + (r && r.Message ? r.Message : 'done')); });
    });
  }

  // MARK: header

  function renderNode() {
    return api('raft-status').then(function (s) {
      const kind = s.State === 'Leader' ? 'ok' : (s.IsPartOfQuorum ? 'info' : 'bad');
      nodeBox.replaceChildren(
        badge(s.State, kind), ' ', s.RaftAdvertise,
        s.IsPartOfQuorum ? '' : badge('not part of a quorum', 'bad'),
        ' leader: ', s.Leader || 'none', ' term ', String(s.Term));
    }).catch(function (e) { nodeBox.replaceChildren(badge('unreachable: ' + e.message, 'bad')); });
  }

  function loadSession() {
    return api('webui/session').then(function (s) { session = s; }, function (e) {
      session = { User: '', MayChange: false, Reason: e.message };
    }).then(function () {
      userBox.replaceChildren(session.User ? session.User + ' ' : '',
        session.MayChange ? '' : badge('read-only', 'warn'));
      if (!session.MayChange) userBox.setAttribute('title', session.Reason || '');
    });
  }

  // MARK: clusters

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
            el('tbody', {}, rows)));
    });
  }

  // MARK: cluster topology

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
    return { roots: roots.sort(byName), children: children, byKey: byKey };
  }

  const cluster = { name: '', instances: [], forest: null, selected: '' };

  function relocate(moved, below) {
    previewThenRun('Relocate ' + keyText(moved.Key) + ' below ' + keyText(below.Key),
      'relocate/' + keyPath(moved.Key) + '/' + keyPath(below.Key));
  }

  function instanceLine(i) {
    const key = keyText(i.Key);
    const parts = [el('strong', {}, key)];
    if (i.InstanceAlias && i.InstanceAlias !== key) parts.push(el('span', { class: 'dim' }, ' (' + i.InstanceAlias + ')'));
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
    const box = el('div', {
      class: 'instance' + (cluster.selected === key ? ' selected' : ''), tabindex: '0', 'data-key': key,
      draggable: session.MayChange ? 'true' : null, role: 'button', 'aria-pressed': cluster.selected === key ? 'true' : 'false',
      title: session.MayChange ? 'Click for details; drag onto another server to move it there' : 'Click for details',
      onclick: function () { select(key); },
      onkeydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(key); } },
    }, parts, errors.length ? el('div', { class: 'error' }, errors.join(' | ')) : null);
    if (session.MayChange) {
      box.addEventListener('mousedown', function () { holding = true; });
      box.addEventListener('dragstart', function (e) {
        dragging = key;
        e.dataTransfer.setData('text/plain', key);
        e.dataTransfer.effectAllowed = 'move';
        box.classList.add('dragging');
      });
      box.addEventListener('dragend', function () { dragging = null; holding = false; box.classList.remove('dragging'); });
      box.addEventListener('dragover', function (e) {
        if (!dragging || dragging === key) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        box.classList.add('drop');
      });
      box.addEventListener('dragleave', function () { box.classList.remove('drop'); });
      box.addEventListener('drop', function (e) {
        e.preventDefault();
        box.classList.remove('drop');
        const from = e.dataTransfer.getData('text/plain') || dragging;
        dragging = null;
        const moved = cluster.forest.byKey[from];
        if (moved && from !== key) relocate(moved, i);
      });
    }
    return box;
  }

  function treeList(nodes, forest, seen) {
    return el('ul', { class: 'tree' }, nodes.map(function (i) {
      const key = keyText(i.Key);
      if (seen[key]) return el('li', {}, el('span', { class: 'dim' }, key + ' (co-master, above)'));
      seen[key] = true;
      const below = forest.children[key] || [];
      return el('li', {}, instanceLine(i), below.length ? treeList(below, forest, seen) : null);
    }));
  }

  function select(key) {
    cluster.selected = cluster.selected === key ? '' : key;
    document.querySelectorAll('.instance').forEach(function (box) {
      const on = box.getAttribute('data-key') === cluster.selected;
      box.classList.toggle('selected', on);
      box.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
    renderPanel();
  }

"""#
}
