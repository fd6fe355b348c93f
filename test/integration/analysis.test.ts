// The manifest load analysis in the editor, inside the real VS Code extension host (trusted
// workspace): Problems panel, CodeLens, hover, quick fixes, the clusterProfiles setting.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import { analyzeDocument, type Finding } from '../../src/analysis';
import { ratioShort } from '../../src/analysis/format';
import { validateProfiles } from '../../src/views/analysis';
import { EXT_ID, folder, waiter } from './helpers';

const manifest = (name: string) => vscode.Uri.file(join(folder(), 'manifests', name));

async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXT_ID);
  assert.ok(ext, 'the extension is installed');
  if (!ext.isActive) await ext.activate();
}

const until = waiter(15_000);

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? ''));
const diags = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'breakglass');
const lineOf = (text: string, re: RegExp) => {
  const i = text.split('\n').findIndex((l) => re.test(l));
  assert.ok(i >= 0, `no line matches ${re}`);
  return i;
};

let copies = 0;
/** A fresh copy of a fixture (the quick-fix tests edit and save it), opened in an editor. */
async function copyOf(name: string): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; text: string }> {
  const text = readFileSync(manifest(name).fsPath, 'utf8');
  const uri = manifest(`work/${++copies}-${name}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return { uri, doc, text };
}

async function opened(name: string): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; text: string }> {
  const uri = manifest(name);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return { uri, doc, text: doc.getText() };
}

const waitFor = (uri: vscode.Uri, rule: string) => until(`a ${rule} diagnostic in ${uri.path}`, () => diags(uri).find((d) => codeOf(d) === rule));
const waitGone = (uri: vscode.Uri, rule: string) => until(`the ${rule} diagnostic to go from ${uri.path}`, () => !diags(uri).some((d) => codeOf(d) === rule) && diags(uri).length >= 0);

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}
const lensTitles = async (uri: vscode.Uri) => (await lenses(uri)).map((l) => l.command?.title ?? '');

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

async function actionsAt(uri: vscode.Uri, line: number): Promise<vscode.CodeAction[]> {
  const range = new vscode.Range(line, 0, line, 0);
  const all = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
  return all.filter((a): a is vscode.CodeAction => 'kind' in a || 'edit' in a);
}

/** Applies the quick fix with this title at a line, saves, and returns the new text. */
async function applyFix(doc: vscode.TextDocument, line: number, title: RegExp): Promise<string> {
  const actions = await actionsAt(doc.uri, line);
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a, `no quick fix ${title} at line ${line + 1}; offered: ${actions.map((x) => x.title).join(' | ')}`);
  assert.ok(a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind), 'a QuickFix');
  assert.ok(a.edit, 'with a WorkspaceEdit');
  assert.ok(await vscode.workspace.applyEdit(a.edit), 'the edit applies');
  await doc.save();
  const text = doc.getText();
  for (const d of parseAllDocuments(text)) assert.deepEqual(d.errors.map((e) => e.message), [], 'the YAML stays valid');
  return text;
}

const analyzeCommand = (uri: vscode.Uri) => vscode.commands.executeCommand<{ kubernetes: boolean; workloads: number; findings: number; durationMs: number; profileProblem?: string; profiles: { name: string }[] }>('breakglass.analyzeManifest', uri);

async function setProfiles(value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('breakglass').update('clusterProfiles', value, vscode.ConfigurationTarget.Workspace);
}

describe('Manifest load analysis in the editor', () => {
  before(async () => {
    await activate();
    await setProfiles(undefined);
  });

  after(async () => {
    await setProfiles(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('registers the Analyse Manifest Load command and the clusterProfiles setting', async () => {
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('breakglass.analyzeManifest'));
    const def = vscode.workspace.getConfiguration('breakglass').inspect('clusterProfiles')?.defaultValue;
    assert.deepEqual(def, [
      { name: 'staging', nodes: 20, podsPerNode: 30 },
      { name: 'prod-large', nodes: 5000, podsPerNode: 30 },
    ]);
  });

  it('puts the telemetry DaemonSet findings in the Problems panel at their lines', async () => {
    const { uri, text } = await opened('telemetry.yaml');
    const podsLine = lineOf(text, /verb: list, resource: pods, scope: cluster/);
    const d = await waitFor(uri, 'per-node-cluster-list');
    assert.equal(d.range.start.line, podsLine);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.source, 'breakglass');
    assert.match(d.message, /prod-large \(5,000 nodes\)/);
    assert.match(d.message, /66× the API servers' capacity/);
    const target = typeof d.code === 'object' ? d.code.target : undefined;
    assert.ok(target, 'the rule id links to its description');
    const ruleDoc = await vscode.workspace.openTextDocument(target);
    assert.match(ruleDoc.getText(), /^# per-node-cluster-list/);
    assert.match(ruleDoc.getText(), /\*Remediation\.\*/);

    const all = diags(uri);
    const at = (rule: string) => all.find((x) => codeOf(x) === rule);
    assert.equal(at('list-from-etcd')?.range.start.line, podsLine);
    assert.equal(at('list-from-etcd')?.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(at('daemonset-rollout-unthrottled')?.range.start.line, lineOf(text, /maxUnavailable: 100%/));
    assert.equal(at('daemonset-rollout-unthrottled')?.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(at('no-own-flowschema')?.range.start.line, lineOf(text, /serviceAccountName: telemetry-agent/));
    // One diagnostic per finding of the analyzer, nothing more.
    const expected = analyzeDocument(uri.fsPath, text).findings;
    assert.deepEqual(all.map((x) => `${codeOf(x)}@${x.range.start.line + 1}`).sort(), expected.map((f) => `${f.rule}@${f.line}`).sort());
  });

  it('shows a CodeLens above the workload with its load at every profile', async () => {
    const { uri, text } = await opened('telemetry.yaml');
    const ls = await lenses(uri);
    assert.equal(ls.length, 1, `lenses: ${ls.map((l) => l.command?.title).join(' | ')}`);
    assert.equal(ls[0].range.start.line, lineOf(text, /^kind: DaemonSet/));
    const title = ls[0].command?.title ?? '';
    assert.match(title, /prod-large/);
    assert.match(title, /capacity/);
    assert.equal(title, '≈ 250 req/s · 66× API capacity at prod-large (5,000 nodes) · 0.05% at staging');
    assert.equal(ls[0].command?.command, 'breakglass.showLoadBreakdown');
    // Clicking it puts the cursor on the workload and shows the breakdown.
    await vscode.commands.executeCommand(ls[0].command.command, ...(ls[0].command.arguments ?? []));
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, ls[0].range.start.line);
  });

  it('hovers on the kind and name lines with the breakdown per call and profile', async () => {
    const { uri, text } = await opened('telemetry.yaml');
    for (const line of [lineOf(text, /^kind: DaemonSet/), lineOf(text, /^ {2}name: telemetry-agent/)]) {
      const h = await hoverText(uri, new vscode.Position(line, 3));
      for (const re of [/\*\*DaemonSet monitoring\/telemetry-agent\*\*/, /requests\/s/, /objects\/s/, /bytes\/s/, /APF seats/, /CPU cores/, /share of capacity/, /\*\*66×\*\*/, /LIST pods cluster-wide every 30 s/, /LIST nodes cluster-wide every 60 s/, /clients × 1\/30 s/, /objects read per request/, /staging/, /prod-large/]) {
        assert.match(h, re, `hover at line ${line + 1}:\n${h}`);
      }
    }
    const elsewhere = await hoverText(uri, new vscode.Position(lineOf(text, /^spec:/), 1));
    assert.doesNotMatch(elsewhere, /share of capacity/);
  });

  it('offers quick fixes for the findings', async () => {
    const { uri, text } = await opened('telemetry.yaml');
    await waitFor(uri, 'per-node-cluster-list');
    const titles = async (re: RegExp) => (await actionsAt(uri, lineOf(text, re))).map((a) => a.title);
    const onPods = await titles(/verb: list, resource: pods/);
    assert.ok(onPods.includes('Declare (and implement) scope: node'), onPods.join(' | '));
    assert.ok(onPods.includes('List from the watch cache'), onPods.join(' | '));
    assert.deepEqual(await titles(/maxUnavailable: 100%/), ['Roll one agent at a time']);
    assert.deepEqual(await titles(/serviceAccountName:/), ['Add a FlowSchema and PriorityLevelConfiguration']);
    assert.deepEqual(await titles(/^spec:/), []);
  });

  it('the FlowSchema fix appends a FlowSchema and a PriorityLevelConfiguration and clears no-own-flowschema', async () => {
    const { uri, doc } = await copyOf('telemetry.yaml');
    await waitFor(uri, 'no-own-flowschema');
    const text = await applyFix(doc, lineOf(doc.getText(), /serviceAccountName:/), /FlowSchema/);
    assert.match(text, /\n---\napiVersion: flowcontrol.apiserver.k8s.io\/v1\nkind: PriorityLevelConfiguration\n/);
    assert.match(text, /kind: FlowSchema[\s\S]*serviceAccount: \{name: telemetry-agent, namespace: monitoring\}/);
    await waitGone(uri, 'no-own-flowschema');
    assert.ok(diags(uri).some((d) => codeOf(d) === 'per-node-cluster-list'), 'the other findings stay');
    assert.ok(!analyzeDocument(uri.fsPath, text).findings.some((f) => f.rule === 'no-own-flowschema'));
  });

  it('the throttle fix sets maxUnavailable: 1 and clears daemonset-rollout-unthrottled', async () => {
    const { uri, doc } = await copyOf('telemetry.yaml');
    await waitFor(uri, 'daemonset-rollout-unthrottled');
    const text = await applyFix(doc, lineOf(doc.getText(), /maxUnavailable: 100%/), /Roll one agent at a time/);
    assert.match(text, /\n {6}maxUnavailable: 1\n/);
    await waitGone(uri, 'daemonset-rollout-unthrottled');
  });

  it('the scope fix declares scope: node and clears per-node-cluster-list; the cache fix clears list-from-etcd', async () => {
    const { uri, doc } = await copyOf('telemetry.yaml');
    await waitFor(uri, 'per-node-cluster-list');
    let text = await applyFix(doc, lineOf(doc.getText(), /resource: pods/), /scope: node/);
    assert.match(text, /- \{verb: list, resource: pods, scope: node, interval: 30s\}/);
    assert.match(text, /- \{verb: list, resource: nodes, scope: node, interval: 60s\}/);
    await waitGone(uri, 'per-node-cluster-list');
    await waitFor(uri, 'list-from-etcd');
    text = await applyFix(doc, lineOf(doc.getText(), /resource: pods/), /watch cache/);
    assert.match(text, /- \{verb: list, resource: pods, scope: node, interval: 30s, resourceVersion: "0"\}/);
    await waitGone(uri, 'list-from-etcd');
    // Node-scoped and from the cache: the lens shows a negligible load.
    const [title] = await lensTitles(uri);
    assert.match(title, /^≈ \d+ req\/s · \d(\.\d)?% API capacity at prod-large \(5,000 nodes\) · <0\.01% at staging$/);
  });

  it('a kubectl loop gets a node field selector with NODE_NAME from the downward API', async () => {
    const { uri, doc } = await copyOf('telemetry-script.yaml');
    await waitFor(uri, 'per-node-cluster-list');
    const text = await applyFix(doc, lineOf(doc.getText(), /kubectl get pods -A/), /field-selector/);
    assert.match(text, /kubectl get pods --field-selector spec\.nodeName=\$\{NODE_NAME\} -A -o json/);
    assert.match(text, /kubectl get nodes --field-selector metadata\.name=\$\{NODE_NAME\} -o json/);
    // Both containers (pods, nodes) get the variable from the downward API.
    const env = / {10}env:\n {12}- name: NODE_NAME\n {14}valueFrom:\n {16}fieldRef:\n {18}fieldPath: spec\.nodeName\n/;
    assert.match(text, new RegExp(`- name: pods\\n${env.source}`));
    assert.match(text, new RegExp(`- name: nodes\\n${env.source}`));
    await waitGone(uri, 'per-node-cluster-list');
  });

  it('an OpenTelemetry agent gets the k8sattributes node filter and the env var it names', async () => {
    const { uri, doc } = await copyOf('otel-agent.yaml');
    await waitFor(uri, 'per-node-cluster-list');
    const text = await applyFix(doc, lineOf(doc.getText(), /^\s+k8sattributes:/), /node_from_env_var/);
    assert.match(text, /\n {6}k8sattributes:\n {8}filter:\n {10}node_from_env_var: K8S_NODE_NAME\n {8}auth_type: serviceAccount\n/);
    assert.match(text, /- name: K8S_NODE_NAME\n\s+valueFrom:\n\s+fieldRef:\n\s+fieldPath: spec\.nodeName/);
    await waitGone(uri, 'per-node-cluster-list');
    // A watch does not poll: its steady cost is the events it receives, its start-up the initial LISTs; the lens says so.
    assert.match((await lensTitles(uri))[0] ?? '', /^≈ watches, no polling · [\d.]+ events\/s at \S+ · at start-up [\d.]+ req\/s · [\d.]+% API capacity at prod-large \(5,000 nodes\) · .+ at staging$/);
  });

  it('fluent-bit gets Use_Kubelet On and node-local-source clears', async () => {
    const { uri, doc } = await copyOf('fluent-bit.yaml');
    await waitFor(uri, 'node-local-source');
    const text = await applyFix(doc, lineOf(doc.getText(), /\[FILTER\]/), /kubelet/i);
    assert.match(text, /\[FILTER\]\n {8}Use_Kubelet {9}On\n {8}Kubelet_Port {8}10250\n {8}Name {16}kubernetes\n/);
    await waitGone(uri, 'node-local-source');
  });

  it('an undeclared agent gets the contract annotation template and rbac-undeclared clears', async () => {
    const { uri, doc } = await copyOf('undeclared.yaml');
    const d = await waitFor(uri, 'rbac-undeclared');
    const text = await applyFix(doc, d.range.start.line, /Declare its API calls/);
    assert.match(text, /\nmetadata:\n {2}name: mystery-agent\n {2}namespace: ops\n {2}annotations:\n {4}breakglass\.dev\/api-calls: \|\n {6}- \{verb: watch, resource: pods, scope: node, resourceVersion: "0"\}\n/);
    await waitGone(uri, 'rbac-undeclared');
  });

  it('a node-exporter-like DaemonSet gets no warning', async () => {
    const { uri } = await opened('node-exporter.yaml');
    const s = await analyzeCommand(uri);
    assert.equal(s.kubernetes, true);
    assert.equal(s.workloads, 1);
    assert.deepEqual(diags(uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning).map((d) => d.message), []);
    assert.match((await lensTitles(uri))[0] ?? '', /no API-server calls known/);
  });

  it('YAML without Kubernetes objects gets nothing', async () => {
    const { uri } = await opened('not-kubernetes.yaml');
    const s = await analyzeCommand(uri);
    assert.equal(s.kubernetes, false);
    assert.deepEqual(diags(uri), []);
    assert.deepEqual(await lenses(uri), []);
  });

  it('malformed YAML yields a diagnostic, not an exception, and clears when repaired', async () => {
    const { uri, doc, text } = await copyOf('malformed.yaml');
    const d = await waitFor(uri, 'yaml');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /^YAML: /);
    // Every provider answers on the broken file.
    await lenses(uri);
    await hoverText(uri, new vscode.Position(lineOf(text, /^kind:/), 2));
    await actionsAt(uri, d.range.start.line);
    const bad = lineOf(text, /args: \["--a", "--b"$/);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.lineAt(bad).range.end, ']');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await doc.save();
    await waitGone(uri, 'yaml');
  });

  it('breakglass.clusterProfiles changes the lens text; a bad entry falls back to the defaults', async () => {
    const { uri } = await opened('telemetry.yaml');
    const now = async () => (await lensTitles(uri))[0] ?? '';
    try {
      await setProfiles([
        { name: 'edge', nodes: 200, podsPerNode: 20 },
        { name: 'huge', nodes: 15000, podsPerNode: 30 },
      ]);
      const custom = await until('the lens with the new profiles', async () => ((await now()).includes('huge') ? now() : undefined));
      assert.match(custom, /API capacity at huge \(15,000 nodes\) · .* at edge$/);
      assert.doesNotMatch(custom, /prod-large|staging/);
      assert.ok(diags(uri).some((d) => /at huge \(15,000 nodes\)/.test(d.message)), 'diagnostics re-analysed too');

      await setProfiles([{ name: 'broken', nodes: 'many' }]);
      const fallback = await until('the lens with the default profiles', async () => ((await now()).includes('prod-large') ? now() : undefined));
      assert.match(fallback, /66× API capacity at prod-large \(5,000 nodes\) · 0\.05% at staging/);
      const s = await analyzeCommand(uri);
      assert.match(s.profileProblem ?? '', /entry 1 \(broken\): nodes must be a whole number from 1 to 1,000,000, not "many"/);
      assert.deepEqual(s.profiles.map((p) => p.name), ['staging', 'prod-large']);
    } finally {
      await setProfiles(undefined);
    }
    await until('the default lens again', async () => ((await now()).startsWith('≈ 250 req/s · 66×') ? true : undefined));
  });

  it('validates profiles without throwing', () => {
    assert.deepEqual(validateProfiles(undefined), {});
    assert.deepEqual(validateProfiles([]), {});
    assert.deepEqual(validateProfiles([{ name: 'a', nodes: 3 }]), { profiles: [{ name: 'a', nodes: 3, podsPerNode: 30 }] });
    for (const [bad, re] of [
      ['x', /must be a list/],
      [[null], /entry 1 must be an object/],
      [[{ name: '', nodes: 1 }], /name must be a non-empty text/],
      [[{ name: 'a', nodes: 0 }], /nodes must be a whole number/],
      [[{ name: 'a', nodes: 1.5 }], /nodes must be a whole number/],
      [[{ name: 'a', nodes: 10, podsPerNode: 5000 }], /podsPerNode must be a whole number/],
      [[{ name: 'a', nodes: 10 }, { name: 'a', nodes: 20 }], /used twice/],
      [[{ name: 'a', nodes: 10, node: 3 }], /unknown field "node"/],
      [Array.from({ length: 11 }, (_, i) => ({ name: `p${i}`, nodes: 1 })), /at most 10/],
    ] as [unknown, RegExp][]) {
      const v = validateProfiles(bad);
      assert.equal(v.profiles, undefined);
      assert.match(v.problem ?? '', re);
    }
    assert.equal(ratioShort(66.3), '66×');
    assert.equal(ratioShort(1.54), '1.5×');
    assert.equal(ratioShort(0.000513), '0.05%');
    assert.equal(ratioShort(0.0000001), '<0.01%');
  });

  it('every quick fix offered keeps the YAML valid and clears or reduces its finding', async function () {
    this.timeout(120_000);
    const corpus = join(__dirname, '../../../../shared/corpus/manifests');
    const inputs = ['telemetry.yaml', 'telemetry-script.yaml', 'otel-agent.yaml', 'fluent-bit.yaml', 'undeclared.yaml', 'surge.yaml'].map((f) => ({ name: f, text: readFileSync(manifest(f).fsPath, 'utf8') }));
    if (existsSync(corpus)) for (const f of readdirSync(corpus).filter((x) => x.endsWith('.yaml'))) inputs.push({ name: `corpus-${f}`, text: readFileSync(join(corpus, f), 'utf8') });
    const errors = (t: string) => parseAllDocuments(t).reduce((n, d) => n + d.errors.length, 0);
    const load = (xs: Finding[]) => Math.max(0, ...xs.flatMap((x) => x.estimates.map((e) => e.capacityRatio)));
    const rank = (xs: Finding[]) => Math.max(0, ...xs.map((x) => (x.severity === 'error' ? 3 : x.severity === 'warning' ? 2 : 1)));
    let offered = 0;
    const titles = new Set<string>();
    const perFile = new Map<string, string[]>();
    for (const input of inputs) {
      const uri = manifest(`work/fixes-${input.name}`);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(input.text));
      const doc = await vscode.workspace.openTextDocument(uri);
      await analyzeCommand(uri);
      const before = analyzeDocument(uri.fsPath, input.text);
      const shown = before.findings.length + before.notes.filter((n) => n.severity !== 'info').length;
      await until(`the diagnostics of ${input.name}`, () => diags(uri).length === shown);
      for (const line of [...new Set(before.findings.map((f) => f.line - 1))]) {
        const here = before.findings.filter((f) => f.line - 1 === line);
        for (const a of await actionsAt(uri, line)) {
          assert.ok(a.edit, `${a.title} has an edit`);
          const edits = a.edit.entries().flatMap(([u, es]) => (u.toString() === uri.toString() ? es : []));
          const text = edits
            .map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), text: e.newText }))
            .sort((x, y) => y.start - x.start)
            .reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), input.text);
          const where = `${input.name}:${line + 1} "${a.title}"`;
          assert.ok(errors(text) <= errors(input.text), `${where} breaks the YAML`);
          const after = analyzeDocument(uri.fsPath, text).findings;
          // Some finding on this line (a rule for a workload) goes away, drops in severity or in load.
          const helped = here.some((f) => {
            const same = (x: Finding) => x.rule === f.rule && x.workload.name === f.workload.name && x.workload.kind === f.workload.kind;
            const was = before.findings.filter(same);
            const now = after.filter(same);
            return now.length < was.length || rank(now) < rank(was) || load(now) < load(was);
          });
          assert.ok(helped, `${where} does not help: ${here.map((f) => f.rule).join(', ')}`);
          offered++;
          titles.add(a.title);
          perFile.set(input.name, [...(perFile.get(input.name) ?? []), a.title]);
        }
      }
    }
    console.log(`[breakglass-fixes] ${offered} quick fixes checked in ${perFile.size} of ${inputs.length} files: ${[...titles].sort().join(' | ')}`);
    assert.ok(offered >= 10, `${offered} fixes`);
    // maxSurge in block and flow style: both throttled.
    assert.equal(perFile.get('surge.yaml')?.filter((t) => t === 'Roll one agent at a time').length, 2);
  });

  /** Opens a generated 5,000-line manifest, types a space at 40 places, and reports the analysis times. */
  async function keystrokes(name: string, text: string, minFindings: number): Promise<number> {
    const uri = manifest(`work/${name}`);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    assert.ok(doc.lineCount >= 5000, `${doc.lineCount} lines`);
    const first = await analyzeCommand(uri);
    assert.ok(first.findings >= minFindings, `${first.findings} findings`);
    const times: number[] = [];
    const round: number[] = [];
    for (let i = 0; i < 40; i++) {
      // A space typed at the end of a line somewhere in the file: one document changes.
      const line = doc.lineAt((i * 389) % doc.lineCount);
      const version = doc.version;
      await editor.edit((b) => b.insert(line.range.end, ' '), { undoStopBefore: false, undoStopAfter: false });
      assert.ok(doc.version > version);
      const t0 = performance.now();
      const s = await analyzeCommand(uri);
      round.push(performance.now() - t0);
      times.push(s.durationMs);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
    console.log(`[breakglass-bench] ${name}: ${doc.lineCount} lines, ${first.workloads} workloads, ${first.findings} findings: first analysis ${first.durationMs.toFixed(1)} ms; per keystroke analysis median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms; command round trip (analysis + diagnostics) median ${median(round).toFixed(1)} ms`);
    const finding = diags(uri)[0];
    if (finding) {
      const t0 = performance.now();
      await actionsAt(uri, finding.range.start.line);
      console.log(`[breakglass-bench] ${name}: quick fixes on a finding line: ${(performance.now() - t0).toFixed(1)} ms`);
    }
    await doc.save();
    return median(times);
  }

  it('re-analyses a 5,000-line manifest quickly on each keystroke', async function () {
    this.timeout(120_000);
    // Dense: every other document a flagged telemetry DaemonSet.
    const parts: string[] = [];
    const base = readFileSync(manifest('telemetry.yaml').fsPath, 'utf8');
    const exporter = readFileSync(manifest('node-exporter.yaml').fsPath, 'utf8');
    let lines = 0;
    for (let i = 0; lines < 5000; i++) {
      const doc = (i % 2 ? exporter : base).replace(/name: (telemetry-agent|node-exporter)$/gm, `name: $1-${i}`);
      parts.push(doc.trimEnd());
      lines += doc.split('\n').length;
    }
    const dense = await keystrokes('dense-5000.yaml', `${parts.join('\n---\n')}\n`, 100);
    assert.ok(dense < 250, `median ${dense} ms`);
    // Realistic: the public agent manifests repeated (as bench/lint.mjs measures the analyzer alone).
    const corpus = join(__dirname, '../../../../shared/corpus/manifests');
    if (existsSync(corpus)) {
      const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(corpus, f), 'utf8'));
      let text = '';
      while (text.split('\n').length < 5000) text += `${files.join('\n---\n')}\n---\n`;
      const mixed = await keystrokes('corpus-5000.yaml', `${text.split('\n').slice(0, 5000).join('\n')}\n`, 1);
      assert.ok(mixed < 250, `median ${mixed} ms`);
    }
  });
});
