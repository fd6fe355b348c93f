// Extension activation time, measured in a fresh Node process: loading dist/extension.js and
// calling activate() against a minimal stand-in for the `vscode` module (only what activation
// touches). This measures Breakglass's own cost (module evaluation + wiring); VS Code's own
// extension-host overhead is not included. Goal: ≤ 50 ms.
const Module = require('module');
const path = require('path');
const t0 = performance.now();
// Anything activation touches that is not spelled out below answers with a no-op that returns a
// disposable, so the stand-in keeps up as activation registers more providers.
const disposable = { dispose() {} };
const anything = () => new Proxy(function () { return disposable; }, { get: (t, k) => (k === 'dispose' ? () => {} : anything()), construct: () => anything() });
const auto = (base) => new Proxy(base, { get: (t, k) => (k in t ? t[k] : anything()) });
class EventEmitter { constructor() { this.event = () => disposable; } fire() {} dispose() {} }
// esbuild's interop copies the module's own keys: every class activation uses must be listed.
const vscode = auto({
  EventEmitter,
  Disposable: class { constructor(f) { this.dispose = f; } static from(...d) { return { dispose() { for (const x of d) x.dispose?.(); } }; } }, ThemeColor: class { constructor(id) { this.id = id; } }, ThemeIcon: class { constructor(id) { this.id = id; } },
  Uri: { file: (p) => ({ fsPath: p, scheme: 'file', toString: () => 'file://' + p }), joinPath: () => ({}), parse: (s) => ({ toString: () => s }) },
  StatusBarAlignment: { Left: 1, Right: 2 }, DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 }, ViewColumn: { One: 1, Beside: -2 },
  CodeActionKind: { QuickFix: { value: 'quickfix' } }, ConfigurationTarget: { Global: 1, Workspace: 2 },
  window: auto({ createStatusBarItem: () => ({ show() {}, dispose() {} }), activeTextEditor: undefined, visibleTextEditors: [] }),
  workspace: auto({ getConfiguration: () => ({ get: (_k, d) => d }), textDocuments: [], workspaceFolders: [], isTrusted: true }),
  languages: auto({ createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }) }),
  commands: auto({ executeCommand: async () => undefined }),
  extensions: auto({}),
  env: auto({}),
});
const origLoad = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : origLoad.call(this, request, ...rest); };
const ext = require(path.resolve(__dirname, '..', 'dist', 'extension.js'));
const t1 = performance.now();
const context = auto({ subscriptions: [], extensionUri: {}, extensionPath: path.resolve(__dirname, '..') });
ext.activate(context);
const t2 = performance.now();
console.log(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, heapMB: process.memoryUsage().heapUsed / 1e6 }));
