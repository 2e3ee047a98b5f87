// Renders one page of orchd's web UI as text, the way a browser would build it: fetches the script
// the node serves, runs it against that node's API with a minimal DOM, clicks the failover preview
// or another button when asked, and prints the text of the page (badges in [brackets], links as
// text<href>).
// Usage: node render.js http://127.0.0.1:3000 /web/cluster/alias/demo [preview | click=LABEL [ANSWER]]
// (ANSWER is what window.prompt returns for the clicked button).
'use strict';
const vm = require('vm');
const [base, page, action, answer] = process.argv.slice(2);

class Text { constructor(t) { this.t = String(t); } get textContent() { return this.t; } }
class Element {
  constructor(tag) { this.tag = tag; this.children = []; this.attrs = {}; this.listeners = {}; }
  appendChild(child) {
    if (!(child instanceof Element) && !(child instanceof Text)) throw new TypeError('appendChild: not a node: ' + child);
    this.children.push(child); return child;
  }
  replaceChildren(...children) { this.children = children.map(c => (typeof c === 'string' ? new Text(c) : c)); }
  setAttribute(name, value) { this.attrs[name] = String(value); }
  addEventListener(name, f) { this.listeners[name] = f; }
  set textContent(t) { this.children = [new Text(t)]; }
  get textContent() { return this.children.map(c => c.textContent).join(''); }
  find(test) {
    if (test(this)) return this;
    for (const c of this.children) { if (c instanceof Element) { const f = c.find(test); if (f) return f; } }
    return null;
  }
  render(depth) {
    const blocks = ['p', 'h1', 'h2', 'tr', 'li', 'div', 'pre', 'ul', 'table', 'tbody', 'thead', 'button'];
    let s = this.children.map(c => (c instanceof Text ? c.t : c.render(depth + 1))).join(this.tag === 'tr' ? ' | ' : '');
    if (this.tag === 'span' && (this.attrs.class || '').startsWith('badge')) s = '[' + s + ']';
    if (this.tag === 'a') s = s + '<' + this.attrs.href + '>';
    if (this.tag === 'li') s = '  '.repeat(depth) + '- ' + s.trimStart();
    return blocks.includes(this.tag) ? '\n' + s : s;
  }
}

const roots = { main: new Element('main'), node: new Element('span'), flash: new Element('span') };
const context = {
  document: {
    title: '',
    createElement: tag => new Element(tag),
    createTextNode: text => new Text(text),
    getElementById: id => roots[id] || roots.main.find(e => e.attrs.id === id),
  },
  location: { pathname: page },
  window: { addEventListener() {}, prompt: () => (answer === undefined ? null : answer) },
  fetch: (path, options) => fetch(base + path, options),
  setInterval: () => 0,
  clearInterval: () => {},
  Promise, JSON, Object, Array, String, Error, encodeURIComponent, decodeURIComponent, console,
};
const settle = () => new Promise(resolve => setTimeout(resolve, 1500));

(async () => {
  const response = await fetch(base + '/web/static/app.js');
  if (!response.ok) throw new Error('app.js: HTTP ' + response.status);
  vm.createContext(context);
  vm.runInContext(await response.text(), context, { filename: 'app.js' });
  await settle();
  if (action) {
    const label = action === 'preview' ? 'Preview a failover of the master' : action.replace(/^click=/, '');
    const button = roots.main.find(e => e.tag === 'button' && e.textContent === label);
    if (!button) throw new Error('no button "' + label + '"');
    button.listeners.click();
    await settle();
  }
  console.log('TITLE ' + context.document.title);
  console.log('NODE ' + roots.node.render(0).trim());
  console.log('FLASH ' + roots.flash.render(0).trim());
  console.log(roots.main.render(0).split('\n').filter(line => line.trim() !== '').join('\n'));
})().catch(error => { console.error(String(error)); process.exit(1); });
