// Extension activation, measured in a fresh Node process: loading dist/extension.js and calling
// activate() against a minimal stand-in for the `vscode` module (only what activation touches),
// with no document open (or with the files given with --open, as VS Code activates the extension
// when a markdown or YAML document opens). Reports the time (module evaluation + wiring; VS Code's
// own extension-host overhead is not included) and the code loaded: every file of the build that
// Node compiled by the end of activate(), with its size. Goals: ≤ 50 ms, ≤ 400 KB.
// usage: node bench/activation.cjs [DIST] [--open FILE]…   (DIST: a build's dist/, default ./dist)
const Module = require('module');
const path = require('path');
const fs = require('fs');
const args = process.argv.slice(2);
const open = args.flatMap((a, i) => (args[i - 1] === '--open' ? [path.resolve(a)] : []));
const dist = path.resolve(args.find((a, i) => a !== '--open' && args[i - 1] !== '--open') ?? path.join(__dirname, '..', 'dist'));
/** Files Node compiled (CommonJS), with their sizes in bytes. */
const compiled = [];
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  compiled.push({ file: filename, bytes: Buffer.byteLength(content) });
  return compile.call(this, content, filename);
};
// Anything activation touches that is not spelled out below answers with a no-op that returns a
// disposable, so the stand-in keeps up as activation registers more providers.
const disposable = { dispose() {} };
const anything = () => new Proxy(function () { return disposable; }, { get: (t, k) => (k === 'dispose' ? () => {} : anything()), construct: () => anything() });
const auto = (base) => new Proxy(base, { get: (t, k) => (k in t ? t[k] : anything()) });
class EventEmitter { constructor() { this.event = () => disposable; } fire() {} dispose() {} }
/** The documents open at activation (--open): what activation and the timers it sets read of them. */
const documents = open.map((file) => {
  const text = fs.readFileSync(file, 'utf8');
  const uri = { fsPath: file, path: file, scheme: 'file', toString: () => 'file://' + file };
  return auto({ uri, fileName: file, languageId: /\.ya?ml$/.test(file) ? 'yaml' : 'markdown', version: 1, isClosed: false, lineCount: text.split('\n').length, getText: () => text,
    lineAt: (line) => ({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, isEmptyOrWhitespace: false, firstNonWhitespaceCharacterIndex: 0 }) });
});
const t0 = performance.now();
// esbuild's interop copies the module's own keys: every class activation uses must be listed.
const vscode = auto({
  EventEmitter,
  // What the diagnostics of the documents open (--open) construct, just after activation.
  ...Object.fromEntries(['Range', 'Position', 'Diagnostic', 'DiagnosticRelatedInformation', 'Location'].map((n) => [n, class { constructor(...a) { this.args = a; } }])),
  Disposable: class { constructor(f) { this.dispose = f; } static from(...d) { return { dispose() { for (const x of d) x.dispose?.(); } }; } }, ThemeColor: class { constructor(id) { this.id = id; } }, ThemeIcon: class { constructor(id) { this.id = id; } },
  Uri: { from: (c) => ({ ...c, toString: () => `${c.scheme}:${c.path}` }), file: (p) => ({ fsPath: p, scheme: 'file', toString: () => 'file://' + p }), joinPath: () => ({}), parse: (s) => ({ toString: () => s }) },
  StatusBarAlignment: { Left: 1, Right: 2 }, DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 }, ViewColumn: { One: 1, Beside: -2 },
  CodeActionKind: { QuickFix: { value: 'quickfix' } }, ConfigurationTarget: { Global: 1, Workspace: 2 },
  window: auto({ createStatusBarItem: () => ({ show() {}, dispose() {} }), activeTextEditor: documents[0] && { document: documents[0] }, visibleTextEditors: documents.map((document) => ({ document })) }),
  workspace: auto({ getConfiguration: () => ({ get: (_k, d) => d }), textDocuments: documents, workspaceFolders: [], isTrusted: true }),
  languages: auto({ createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }) }),
  commands: auto({ executeCommand: async () => undefined }),
  extensions: auto({}),
  env: auto({}),
});
const origLoad = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : origLoad.call(this, request, ...rest); };
const ext = require(path.join(dist, 'extension.js'));
const t1 = performance.now();
const context = auto({ subscriptions: [], extensionUri: {}, extensionPath: path.dirname(dist) });
ext.activate(context);
const t2 = performance.now();
const files = compiled.map((c) => ({ file: path.relative(dist, c.file), kb: c.bytes / 1024 }));
const loadedKB = files.reduce((n, f) => n + f.kb, 0);
console.log(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, loadedKB, files, heapMB: process.memoryUsage().heapUsed / 1e6 }));
