// Extension activation time, measured in a fresh Node process: loading dist/extension.js and
// calling activate() against a minimal stand-in for the `vscode` module (only what activation
// touches). This measures Breakglass's own cost (module evaluation + wiring); VS Code's own
// extension-host overhead is not included. Goal: ≤ 50 ms.
const Module = require('module');
const path = require('path');
const t0 = performance.now();
const noop = () => ({ dispose() {} });
class EventEmitter { constructor() { this.event = () => ({ dispose() {} }); } fire() {} dispose() {} }
const vscode = {
  EventEmitter, ThemeColor: class { constructor(id) { this.id = id; } }, Uri: { file: (p) => ({ fsPath: p, toString: () => 'file://' + p }), joinPath: () => ({}) },
  StatusBarAlignment: { Left: 1, Right: 2 }, DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2 }, ViewColumn: { One: 1, Beside: -2 },
  window: { createStatusBarItem: () => ({ show() {}, dispose() {} }), onDidChangeActiveTextEditor: noop, activeTextEditor: undefined },
  workspace: { getConfiguration: () => ({ get: (_k, d) => d }), onDidOpenTextDocument: noop, onDidChangeTextDocument: noop, onDidCloseTextDocument: noop, onDidGrantWorkspaceTrust: noop, textDocuments: [], workspaceFolders: [], isTrusted: true },
  languages: { createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }) },
  commands: { registerCommand: noop, executeCommand: async () => undefined },
  extensions: {},
};
const origLoad = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : origLoad.call(this, request, ...rest); };
const ext = require(path.resolve(__dirname, '..', 'dist', 'extension.js'));
const t1 = performance.now();
const context = { subscriptions: [], extensionUri: {}, extensionPath: path.resolve(__dirname, '..') };
ext.activate(context);
const t2 = performance.now();
console.log(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, heapMB: process.memoryUsage().heapUsed / 1e6 }));
