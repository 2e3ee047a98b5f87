// The web UI's three files, compiled into orchd so a node needs nothing beside its binary (the script
// is in WebUI+Script.swift).
// Edit them here; `node --check` on the script is a quick syntax check. The browser tests are
// Tests/WebUI/e2e.py (run by OrchdWebUIBrowserTests).

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
<header>
<a class="home" href="/web/clusters">orchd</a>
<nav><a href="/web/clusters">Clusters</a><a href="/web/raft">Raft</a><a href="/web/audit">Audit</a></nav>
<form id="search-form" action="/web/search" method="get" role="search"><input id="search" name="s" type="search" placeholder="Search host, alias, cluster" aria-label="search"></form>
<span id="node"></span><span id="user"></span><span id="flash"></span>
</header>
<main id="main"><p>Loading...</p></main>
<noscript><p>This page needs JavaScript. The same data is in the API: /api/clusters-info, /api/cluster/:alias.</p></noscript>
<script src="/web/static/app.js"></script>
</body>
</html>
"""#

    static let appCSS = #"""
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 1.2em; align-items: center; padding: 0.6em 1.2em; background: #1d2330; color: #e8ebf0; flex-wrap: wrap; }
header a { color: #fff; text-decoration: none; }
header a.home { font-weight: 700; }
nav { display: flex; gap: 0.9em; }
nav a { color: #c9d1dd; padding: 0.1em 0.3em; border-radius: 3px; }
nav a.current { color: #fff; background: #34405a; }
#search { padding: 0.25em 0.5em; border-radius: 3px; border: 1px solid #4a5670; background: #2a3347; color: #fff; width: 16em; }
#node, #user { font-size: 0.9em; }
main { padding: 1em 1.5em; }
h1 { font-size: 1.4em; margin: 0.4em 0; }
h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 0.35em 0.8em; border-bottom: 1px solid #e2e5ea; vertical-align: top; }
td.num { text-align: right; }
tr.leader td { background: #f1faf3; }
a { color: #1f5fbf; }
.badge { display: inline-block; padding: 0 0.45em; margin: 0 0.15em; border-radius: 0.6em; font-size: 0.82em;
  background: #e2e5ea; color: #1d2330; }
.badge.ok { background: #d6f0dc; color: #135c26; }
.badge.bad { background: #fadbd8; color: #8a1c12; }
.badge.warn { background: #fcefd0; color: #7a4d00; }
.badge.info { background: #dbe7fa; color: #173f7a; }
.dim { color: #6b7280; }
.error { color: #8a1c12; font-size: 0.88em; }
.columns { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
.columns > .topology { flex: 1 1 32em; }
.columns > .panel { flex: 1 1 28em; background: #fff; border: 1px solid #dfe3e8; border-radius: 4px; padding: 0 1em 1em; margin-top: 1.2em; }
.panel table.fields th { width: 11em; color: #4b5563; font-weight: 500; }
.panel table.fields td { word-break: break-all; }
.actions { display: flex; flex-wrap: wrap; gap: 0.4em; margin: 0.6em 0 1em; }
ul.tree { list-style: none; padding-left: 1.4em; border-left: 1px dashed #c3c8d0; margin: 0.2em 0; }
ul.tree > li { margin: 0.25em 0; }
.instance { background: #fff; display: inline-block; padding: 0.3em 0.6em; border: 1px solid #dfe3e8; border-radius: 4px; cursor: pointer; }
.instance[draggable="true"] { cursor: grab; }
.instance:focus { outline: 2px solid #1f5fbf; outline-offset: 1px; }
.instance.selected { border-color: #1f5fbf; box-shadow: 0 0 0 2px #b9cff2; }
.instance.dragging { opacity: 0.5; }
.instance.drop { border-color: #135c26; background: #eefaf1; box-shadow: 0 0 0 3px #a7dcb4; }
pre.plan { background: #fff; border: 1px solid #dfe3e8; padding: 0.8em; white-space: pre-wrap; max-width: 110ch; }
pre.plan:empty { display: none; }
.refusal { color: #8a1c12; font-weight: 600; }
button { padding: 0.35em 0.9em; cursor: pointer; }
button.small { padding: 0 0.5em; font-size: 0.8em; margin-left: 0.4em; }
button.primary { background: #1f5fbf; color: #fff; border: 1px solid #1a4f9e; border-radius: 3px; }
button:disabled { opacity: 0.6; cursor: default; }
#flash { margin-left: auto; }
.filters select, .filters input { padding: 0.25em; }
.dialog { position: fixed; inset: 0; background: rgba(29, 35, 48, 0.45); display: flex; align-items: flex-start; justify-content: center; padding-top: 8vh; }
.dialog[hidden] { display: none; }
.dialog-box { background: #fff; border-radius: 6px; padding: 1em 1.4em; width: min(90ch, 92vw); max-height: 80vh; overflow: auto; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.25); }
.dialog-box h2 { margin-top: 0.3em; }
.dialog-buttons { display: flex; gap: 0.6em; justify-content: flex-end; margin-top: 0.8em; }
"""#
}
