// The web UI's script, second part: the instance panel, recoveries, detections, audit, Raft and search
// views and the router (the first part, WebUI+Script.swift, opens the IIFE this one closes).

extension WebAssets {
    static let appJSPanels = #"""
  // MARK: instance panel

  function yesNo(value) { return value ? 'yes' : 'no'; }
  function coordinates(c) { return c && c.LogFile ? c.LogFile + ':' + c.LogPos : ''; }

  function field(label, value, kind) {
    if (value === undefined || value === null || value === '') value = '-';
    return el('tr', {}, el('th', {}, label), el('td', { class: kind || '' }, typeof value === 'object' && value.nodeType ? value : String(value)));
  }

  function instanceFields(i) {
    const isReplica = !!keyText(i.MasterKey);
    const lag = i.SecondsBehindMaster && i.SecondsBehindMaster.Valid ? i.SecondsBehindMaster.Int64 + ' s' : (isReplica ? 'unknown' : '');
    const role = i.IsCoMaster ? 'co-master' : (!isReplica ? 'master' : ((cluster.forest.children[keyText(i.Key)] || []).length ? 'intermediate master' : 'replica'));
    const semiSync = [];
    if (i.SemiSyncMasterEnabled) semiSync.push('master ' + (i.SemiSyncMasterStatus ? 'on' : 'enabled, off') + ' (' + (i.SemiSyncMasterClients || 0) + ' clients)');
    if (i.SemiSyncReplicaEnabled) semiSync.push('replica ' + (i.SemiSyncReplicaStatus ? 'on' : 'enabled, off'));
    const downtime = i.IsDowntimed ? 'until ' + (i.DowntimeEndTimestamp || '?') + ' by ' + (i.DowntimeOwner || '?') + ': ' + (i.DowntimeReason || '') : 'no';
    return el('table', { class: 'fields', id: 'panel-fields' }, el('tbody', {},
      field('Role', role),
      field('Alias', i.InstanceAlias),
      field('Version', (i.Version || '') + (i.VersionComment ? ' (' + i.VersionComment + ')' : '')),
      field('Server id / UUID', String(i.ServerID || '') + (i.ServerUUID ? ' / ' + i.ServerUUID : '')),
      field('read_only', yesNo(i.ReadOnly)),
      field('Replicates from', keyText(i.MasterKey)),
      field('IO thread', isReplica ? (i.ReplicationIOThreadRuning ? 'running' : 'stopped') : ''),
      field('SQL thread', isReplica ? (i.ReplicationSQLThreadRuning ? 'running' : 'stopped') : ''),
      field('Last IO error', i.LastIOError, 'error'),
      field('Last SQL error', i.LastSQLError, 'error'),
      field('Lag', lag),
      field('SQL delay', i.SQLDelay ? i.SQLDelay + ' s' : ''),
      field('GTID', i.UsingMariaDBGTID ? 'MariaDB GTID' : (i.UsingOracleGTID ? 'MySQL GTID' : (i.GTIDMode || 'off'))),
      field('Executed GTID set', i.ExecutedGtidSet),
      field('gtid_current_pos', i.GtidCurrentPos),
      field('gtid_slave_pos', i.GtidSlavePos),
      field('Errant GTIDs', i.GtidErrant, i.GtidErrant ? 'error' : ''),
      field('Binary log', coordinates(i.SelfBinlogCoordinates)),
      field('Executed up to', coordinates(i.ExecBinlogCoordinates)),
      field('Semi-sync', semiSync.join('; ')),
      field('Downtime', downtime),
      field('Maintenance', yesNo(i.IsUnderMaintenance)),
      field('Promotion rule', i.PromotionRule),
      field('Data center', i.DataCenter),
      field('Last seen', (i.LastSeenTimestamp || '') + (i.IsLastCheckValid ? '' : ' (last check failed: ' + (i.LastError || 'unreachable') + ')')),
      field('Problems', (i.Problems || []).join(', '))));
  }

  function instanceActions(i) {
    if (!session.MayChange) return null;
    const where = keyPath(i.Key);
    const name = keyText(i.Key);
    const isReplica = !!keyText(i.MasterKey);
    const owner = session.User || 'webui';
    const buttons = [];
    if (isReplica) {
      buttons.push(button('Move below...', function () { moveBelowForm(i); }, { id: 'action-move-below' }));
      buttons.push(button('Move up', function () { previewThenRun('Move up ' + name, 'move-up/' + where); }, { id: 'action-move-up' }));
      buttons.push(button('Take master', function () { previewThenRun('Take master: ' + name, 'take-master/' + where); }, { id: 'action-take-master' }));
      buttons.push(i.ReplicationIOThreadRuning && i.ReplicationSQLThreadRuning
        ? button('Stop replica', function () { previewThenRun('Stop replica ' + name, 'stop-replica/' + where); }, { id: 'action-stop-replica' })
        : button('Start replica', function () { previewThenRun('Start replica ' + name, 'start-replica/' + where); }, { id: 'action-start-replica' }));
    }
    buttons.push(i.ReadOnly
      ? button('Set writeable', function () { previewThenRun('Set writeable ' + name, 'set-writeable/' + where); }, { id: 'action-set-writeable' })
      : button('Set read-only', function () { previewThenRun('Set read-only ' + name, 'set-read-only/' + where); }, { id: 'action-set-read-only' }));
    buttons.push(i.IsDowntimed
      ? button('End downtime', function () {
        confirmThenRun('End downtime of ' + name, 'Recoveries may act on ' + name + ' again.', 'end-downtime/' + where);
      }, { id: 'action-end-downtime' })
      : button('Begin downtime...', function () { downtimeForm(i, owner); }, { id: 'action-begin-downtime' }));
    buttons.push(i.IsUnderMaintenance
      ? button('End maintenance', function () {
        confirmThenRun('End maintenance of ' + name, 'orchd may operate on ' + name + ' again.', 'end-maintenance/' + where);
      }, { id: 'action-end-maintenance' })
      : button('Begin maintenance...', function () { maintenanceForm(i, owner); }, { id: 'action-begin-maintenance' }));
    buttons.push(button('Promotion rule...', function () { candidateForm(i); }, { id: 'action-register-candidate' }));
    return el('div', { class: 'actions', id: 'panel-actions' }, buttons);
  }

  function moveBelowForm(i) {
    const name = keyText(i.Key);
    const choice = el('select', { id: 'move-below-target', 'aria-label': 'new master' },
      cluster.instances.filter(function (o) { return keyText(o.Key) !== name; }).map(function (o) {
        return el('option', { value: keyText(o.Key) }, keyText(o.Key));
      }));
    const body = [el('p', {}, 'Move ' + name + ' below:'), choice];
    const shown = openDialog('Move ' + name + ' below...', body, 'Preview', function () {
      const target = cluster.forest.byKey[choice.value];
      closeDialog();
      if (target) relocate(i, target);
      return Promise.resolve('keep');
    });
    choice.focus();
    return shown;
  }

  function downtimeForm(i, owner) {
    const name = keyText(i.Key);
    const reason = el('input', { id: 'downtime-reason', type: 'text', value: 'maintenance', 'aria-label': 'reason' });
    const duration = el('select', { id: 'downtime-duration', 'aria-label': 'duration' },
      ['10m', '30m', '1h', '4h', '1d'].map(function (d) { return el('option', { value: d, selected: d === '1h' }, d); }));
    openDialog('Begin downtime of ' + name, [
      el('p', {}, 'No recovery acts on a downtimed server, and its problems are muted.'),
      el('label', {}, 'Reason ', reason), ' ', el('label', {}, 'for ', duration)], 'Begin downtime', function () {
      const why = reason.value.trim();
      if (!why) return Promise.reject(new Error('a reason is required'));
      return api('begin-downtime/' + keyPath(i.Key) + '/' + encodeURIComponent(owner) + '/' + encodeURIComponent(why) + '/' + encodeURIComponent(duration.value))
        .then(function (r) { flash(r.Message || 'downtime begun'); });
    });
  }

  function maintenanceForm(i, owner) {
    const name = keyText(i.Key);
    const reason = el('input', { id: 'maintenance-reason', type: 'text', value: 'maintenance', 'aria-label': 'reason' });
    openDialog('Begin maintenance of ' + name, [
      el('p', {}, 'orchd will not operate on a server under maintenance (refactoring and recoveries leave it alone).'),
      el('label', {}, 'Reason ', reason)], 'Begin maintenance', function () {
      const why = reason.value.trim();
      if (!why) return Promise.reject(new Error('a reason is required'));
      return api('begin-maintenance/' + keyPath(i.Key) + '/' + encodeURIComponent(owner) + '/' + encodeURIComponent(why))
        .then(function (r) { flash(r.Message || 'maintenance begun'); });
    });
  }

  function candidateForm(i) {
    const name = keyText(i.Key);
    const rule = el('select', { id: 'promotion-rule', 'aria-label': 'promotion rule' },
      ['prefer', 'neutral', 'prefer_not', 'must_not'].map(function (r) {
        return el('option', { value: r, selected: r === (i.PromotionRule || 'neutral') }, r);
      }));
    openDialog('Promotion rule of ' + name, [el('p', {}, 'Which replica a failover promotes: '), rule], 'Register', function () {
      return api('register-candidate/' + keyPath(i.Key) + '/' + encodeURIComponent(rule.value))
        .then(function (r) { flash(r.Message || 'registered'); });
    });
  }

  function renderPanel() {
    const panel = document.getElementById('panel');
    if (!panel) return;
    const i = cluster.forest && cluster.forest.byKey[cluster.selected];
    if (!i) {
      panel.replaceChildren(el('p', { class: 'dim' }, session.MayChange
        ? 'Select a server for its details and actions, or drag a replica onto its new master.'
        : 'Select a server for its details.'));
      return;
    }
    panel.replaceChildren(...present(el('h2', { id: 'panel-title' }, keyText(i.Key)), instanceActions(i), instanceFields(i)));
  }

  // MARK: recoveries and detections

  function recoveryTable(recoveries, withCluster) {
    if (!recoveries.length) return el('p', { class: 'dim' }, 'No recovery recorded.');
    return el('table', { class: 'recoveries' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Id'), withCluster ? el('th', {}, 'Cluster') : null, el('th', {}, 'Started'),
        el('th', {}, 'Failure'), el('th', {}, 'Failed'), el('th', {}, 'Successor'), el('th', {}, 'Outcome'), el('th', {}, 'Acknowledged'))),
      el('tbody', {}, recoveries.slice(0, 100).map(function (r) {
        const a = r.AnalysisEntry || {};
        const details = a.ClusterDetails || {};
        return el('tr', {},
          el('td', { class: 'num' }, r.Id),
          withCluster ? el('td', {}, clusterLink(details.ClusterName || '', details.ClusterAlias || details.ClusterName || '')) : null,
          el('td', {}, String(r.RecoveryStartTimestamp || '')),
          el('td', {}, a.Analysis || ''),
          el('td', {}, keyText(a.AnalyzedInstanceKey)),
          el('td', {}, keyText(r.SuccessorKey)),
          el('td', {}, r.IsActive ? badge('running', 'info') : (r.IsSuccessful ? badge('succeeded', 'ok') : badge('failed', 'bad'))),
          el('td', {}, r.Acknowledged ? (r.AcknowledgedBy || 'yes') + (r.AcknowledgedComment ? ': ' + r.AcknowledgedComment : '')
            : action('acknowledge', function () { acknowledgeForm(r); }, { class: 'small' })));
      })));
  }

  function acknowledgeForm(r) {
    const comment = el('input', { id: 'ack-comment', type: 'text', 'aria-label': 'comment' });
    openDialog('Acknowledge recovery ' + r.Id, [el('p', {}, 'Acknowledging lifts the block on the next recovery of this cluster.'),
      el('label', {}, 'Comment ', comment)], 'Acknowledge', function () {
      const text = comment.value.trim();
      if (!text) return Promise.reject(new Error('a comment is required'));
      return api('ack-recovery/' + encodeURIComponent(r.UID) + '?comment=' + encodeURIComponent(text))
        .then(function (x) { flash('acknowledge recovery ' + r.Id + ': ' + (x.Message || 'done')); });
    });
    comment.focus();
  }

  // Each detection with what policy (or a peer's second opinion) decided: why a failure was or was
  // not recovered.
  function detectionTable(detections, withCluster) {
    if (!detections.length) return el('p', { class: 'dim' }, 'No failure detected.');
    return el('table', { class: 'detections' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Detected'), withCluster ? el('th', {}, 'Cluster') : null, el('th', {}, 'Failure'),
        el('th', {}, 'Server'), el('th', {}, 'Decision'))),
      el('tbody', {}, detections.slice(0, 100).map(function (d) {
        const a = d.AnalysisEntry || {};
        const details = a.ClusterDetails || {};
        return el('tr', {},
          el('td', {}, d.DetectionTimestamp || ''),
          withCluster ? el('td', {}, details.ClusterAlias || details.ClusterName || '') : null,
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
        const label = info.ClusterAlias || name;
        document.title = 'orchd: ' + label;
        return Promise.all([api('replication-analysis/' + encodeURIComponent(name)),
          api('audit-recovery/cluster/' + encodeURIComponent(label)),
          api('audit-failure-detection/alias/' + encodeURIComponent(label))]).then(function (more) {
          const problems = (more[0].Details || []).filter(function (a) { return a.Analysis !== 'NoProblem'; });
          cluster.name = name;
          cluster.instances = instances;
          cluster.forest = buildForest(instances);
          const wanted = new URLSearchParams(location.search).get('instance');
          if (wanted && !cluster.selected && cluster.forest.byKey[wanted]) cluster.selected = wanted;
          const plan = el('pre', { class: 'plan', id: 'plan' });
          const preview = button('Preview a failover of the master', function () {
            plan.textContent = 'planning...';
            api('failover-plan/' + encodeURIComponent(name)).then(function (p) {
              plan.textContent = typeof p.Details === 'string' ? p.Details : JSON.stringify(p.Details, null, 2);
            }).catch(function (e) { plan.textContent = e.message; });
          });
          main.replaceChildren(
            el('p', {}, el('a', { href: '/web/clusters' }, 'Clusters'), ' / ', label),
            el('h1', {}, label, ' ', el('span', { class: 'dim' }, name)),
            el('p', {},
              'Master recovery: ', info.HasAutomatedMasterRecovery ? badge('automated', 'ok') : badge('manual'),
              ' Intermediate master recovery: ', info.HasAutomatedIntermediateMasterRecovery ? badge('automated', 'ok') : badge('manual')),
            problems.length ? el('div', { class: 'problems' }, problems.map(function (a) {
              return el('p', {}, badge(a.Analysis, 'bad'), ' ', keyText(a.AnalyzedInstanceKey), ' ', a.Description || '');
            })) : el('p', {}, badge('no problem', 'ok')),
            el('div', { class: 'columns' },
              el('section', { class: 'topology' }, el('h2', {}, 'Topology'), treeList(cluster.forest.roots, cluster.forest, {})),
              el('section', { class: 'panel', id: 'panel', 'aria-live': 'polite' })),
            el('h2', {}, 'Failover preview'),
            el('p', { class: 'dim' }, 'Which replica would win if the master died now, why the others lose, and what would be lost. Changes nothing.'),
            preview, plan,
            el('h2', {}, 'Recoveries'),
            recoveryTable(more[1] || [], false),
            el('h2', {}, 'Failures this node detected'),
            detectionTable(more[2] || [], false));
          renderPanel();
        });
      });
  }

  // MARK: raft

  function showRaft() {
    return api('raft-nodes').then(function (members) {
      document.title = 'orchd: raft';
      const leaders = members.filter(function (m) { return m.Status && m.Status.State === 'Leader'; });
      const rows = members.map(function (m) {
        const s = m.Status;
        const isLeader = s && s.State === 'Leader';
        return el('tr', { 'data-raft-id': m.RaftID, class: isLeader ? 'leader' : '' },
          el('td', {}, m.RaftID),
          el('td', {}, m.HTTPAddress ? el('a', { href: m.HTTPAddress.replace(/^(?!https?:\/\/)/, 'http://') + '/web/raft' }, m.HTTPAddress) : ''),
          el('td', { class: 'state' }, s ? badge(s.State, isLeader ? 'ok' : (s.Healthy ? 'info' : 'bad')) : badge('unknown', 'bad')),
          el('td', { class: 'num' }, s ? String(s.Term) : ''),
          el('td', {}, s ? s.Leader || 'none' : ''),
          el('td', { class: 'num' }, s ? String(s.CommitIndex) : ''),
          el('td', { class: 'num' }, s ? String(s.AppliedIndex) : ''),
          el('td', {}, s ? (s.Healthy ? badge('healthy', 'ok') : badge('not in a quorum', 'bad')) : el('span', { class: 'error' }, m.Error)),
          el('td', {}, !isLeader && s ? action('Make leader', function () {
            confirmThenRun('Transfer leadership to ' + m.RaftID,
              'The leader (' + (leaders.length ? leaders[0].RaftID : 'none known') + ') hands leadership to ' + m.RaftID + '. Writes pause for a moment.',
              'raft-yield/' + encodeURIComponent(m.RaftID));
          }, { class: 'small', 'data-transfer-to': m.RaftID }) : null));
      });
      main.replaceChildren(
        el('h1', {}, 'Raft'),
        el('p', { class: 'dim' }, 'Each member as it describes itself (asked by this node).'),
        el('table', { id: 'raft' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Member'), el('th', {}, 'API'), el('th', {}, 'State'), el('th', {}, 'Term'),
            el('th', {}, 'Leader'), el('th', {}, 'Commit'), el('th', {}, 'Applied'), el('th', {}, 'Health'), el('th', {}, ''))),
          el('tbody', {}, rows)));
    });
  }

  // MARK: audit across clusters

  const auditFilter = { cluster: '', outcome: '', text: '' };

  function showAudit() {
    return Promise.all([api('audit-recovery'), api('audit-failure-detection')]).then(function (r) {
      document.title = 'orchd: audit';
      const recoveries = r[0] || [], detections = r[1] || [];
      const clusterOf = function (x) { const d = (x.AnalysisEntry || {}).ClusterDetails || {}; return d.ClusterAlias || d.ClusterName || ''; };
      const names = Array.from(new Set(recoveries.concat(detections).map(clusterOf))).filter(Boolean).sort();
      const matches = function (x) {
        if (auditFilter.cluster && clusterOf(x) !== auditFilter.cluster) return false;
        if (auditFilter.text) {
          const a = x.AnalysisEntry || {};
          const hay = [a.Analysis, keyText(a.AnalyzedInstanceKey), keyText(x.SuccessorKey), x.Decision].join(' ').toLowerCase();
          if (hay.indexOf(auditFilter.text.toLowerCase()) < 0) return false;
        }
        return true;
      };
      const outcome = function (x) {
        switch (auditFilter.outcome) {
          case 'running': return x.IsActive;
          case 'succeeded': return !x.IsActive && x.IsSuccessful;
          case 'failed': return !x.IsActive && !x.IsSuccessful;
          case 'unacknowledged': return !x.Acknowledged;
          default: return true;
        }
      };
      const redraw = function () { refreshNow(); };
      const clusterSelect = el('select', { id: 'filter-cluster', 'aria-label': 'cluster', onchange: function () { auditFilter.cluster = clusterSelect.value; redraw(); } },
        el('option', { value: '' }, 'all clusters'), names.map(function (n) { return el('option', { value: n, selected: n === auditFilter.cluster }, n); }));
      const outcomeSelect = el('select', { id: 'filter-outcome', 'aria-label': 'outcome', onchange: function () { auditFilter.outcome = outcomeSelect.value; redraw(); } },
        ['', 'running', 'succeeded', 'failed', 'unacknowledged'].map(function (o) {
          return el('option', { value: o, selected: o === auditFilter.outcome }, o || 'any outcome');
        }));
      const text = el('input', { id: 'filter-text', type: 'search', placeholder: 'failure, server...', value: auditFilter.text, 'aria-label': 'filter' });
      text.addEventListener('change', function () { auditFilter.text = text.value.trim(); redraw(); });
      main.replaceChildren(
        el('h1', {}, 'Recoveries and detections'),
        el('p', { class: 'filters' }, clusterSelect, ' ', outcomeSelect, ' ', text),
        el('h2', {}, 'Recoveries'),
        recoveryTable(recoveries.filter(matches).filter(outcome), true),
        el('h2', {}, 'Failures this node detected'),
        detectionTable(detections.filter(matches), true));
    });
  }

  // MARK: search

  function showSearch() {
    const text = (new URLSearchParams(location.search).get('s') || '').trim();
    document.getElementById('search').value = text;
    document.title = 'orchd: search ' + text;
    if (!text) {
      main.replaceChildren(el('h1', {}, 'Search'), el('p', { class: 'dim' }, 'Type a host name, port, alias or cluster in the box above.'));
      return Promise.resolve();
    }
    return Promise.all([api('search?s=' + encodeURIComponent(text)), api('clusters-info')]).then(function (r) {
      const instances = r[0] || [];
      const needle = text.toLowerCase();
      const clusters = (r[1] || []).filter(function (c) {
        return (c.ClusterAlias || '').toLowerCase().indexOf(needle) >= 0 || c.ClusterName.toLowerCase().indexOf(needle) >= 0;
      });
      main.replaceChildren(...present(
        el('h1', {}, 'Search: ', text),
        clusters.length ? el('p', {}, 'Clusters: ', clusters.map(function (c) { return [clusterLink(c.ClusterName, c.ClusterAlias || c.ClusterName), ' ']; })) : null,
        instances.length === 0 ? el('p', { class: 'dim', id: 'search-empty' }, 'No server matches.')
          : el('table', { id: 'search-results' },
            el('thead', {}, el('tr', {}, el('th', {}, 'Server'), el('th', {}, 'Alias'), el('th', {}, 'Cluster'), el('th', {}, 'Replicates from'), el('th', {}, 'State'))),
            el('tbody', {}, instances.map(function (i) {
              const href = clusterHref(i.ClusterName) + '?instance=' + encodeURIComponent(keyText(i.Key));
              return el('tr', {},
                el('td', {}, el('a', { href: href }, keyText(i.Key))),
                el('td', {}, i.InstanceAlias || ''),
                el('td', {}, clusterLink(i.ClusterName, i.SuggestedClusterAlias || i.ClusterName)),
                el('td', {}, keyText(i.MasterKey)),
                el('td', {}, i.IsLastCheckValid ? badge(i.ReadOnly ? 'read-only' : 'writable', i.ReadOnly ? '' : 'ok') : badge('unreachable', 'bad')));
            })))));
    });
  }

  // MARK: routing

  function route() {
    const path = decodeURIComponent(location.pathname);
    const alias = path.match(/^\/web\/cluster\/alias\/(.+)$/);
    const named = path.match(/^\/web\/cluster\/(.+)$/);
    if (alias) return function () { return showCluster(alias[1]); };
    if (named) return function () { return showCluster(named[1]); };
    if (path === '/web/raft') return showRaft;
    if (path === '/web/audit') return showAudit;
    if (path === '/web/search') return showSearch;
    return showClusters;
  }

  function markNav() {
    document.querySelectorAll('nav a').forEach(function (a) {
      const href = a.getAttribute('href');
      const here = location.pathname.indexOf(href) === 0 || (href === '/web/clusters' && location.pathname.indexOf('/web/cluster/') === 0);
      a.classList.toggle('current', here);
    });
  }

  // The page is redrawn every few seconds, except while the operator is in a dialog, dragging, or
  // has asked for a failover preview (it stays put).
  // `force`: the operator asked (a filter changed, a change ran).
  function refresh(force) {
    if (paused || dragging || holding) return renderNode();
    const focused = document.activeElement;
    const typing = focused && main.contains(focused) && (focused.tagName === 'INPUT' || focused.tagName === 'SELECT');
    if (typing && !force) return renderNode();
    const plan = document.getElementById('plan');
    if (plan && plan.textContent && !force) return renderNode();
    // Keyboard users keep their place: the server that had the focus has it again after the redraw.
    const focusedKey = focused && focused.classList && focused.classList.contains('instance') ? focused.getAttribute('data-key') : null;
    return Promise.all([renderNode(), route()().catch(showError)]).then(function () {
      document.body.setAttribute('data-loaded', 'true');
      if (focusedKey) {
        const again = Array.prototype.find.call(document.querySelectorAll('.instance'), function (b) { return b.getAttribute('data-key') === focusedKey; });
        if (again) again.focus();
      }
    });
  }

  function refreshNow() {
    clearInterval(timer);
    timer = setInterval(refresh, REFRESH_MS);
    return refresh(true);
  }

  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !dialog.hidden) closeDialog(); });
  document.addEventListener('mouseup', function () { holding = false; });
  markNav();
  loadSession().then(refreshNow);
  window.addEventListener('beforeunload', function () { clearInterval(timer); });
})();
"""#
}
