import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyzeDocument } from '../../src/analysis/analyze';
import { ReadCache, cheapMetadata, readManifests, splitDocuments } from '../../src/analysis/read';
import { callsInScript } from '../../src/analysis/shell';
import { parseApiCallsAnnotation } from '../../src/analysis/usage';

const ROOT = resolve(__dirname, '../../..');
const CORPUS = join(ROOT, '../shared/corpus/manifests');

describe('analysis: reading manifests', () => {
  it('splits at document markers only at column 0, keeping line numbers', () => {
    const text = 'a: 1\n---\nb: |\n  --- not a marker\n---\n--- \nc: 3\n';
    const chunks = splitDocuments(text);
    assert.deepEqual(chunks.map((c) => c.line), [1, 2, 5, 6]);
    assert.equal(chunks.map((c) => c.text).join(''), text);
  });

  it('reads positions of keys and items (1-based lines)', () => {
    const text = `# comment\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\n  namespace: y\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: i\n`;
    const r = readManifests('f.yaml', text, new ReadCache());
    assert.equal(r.objects.length, 1);
    const o = r.objects[0];
    assert.deepEqual([o.kind, o.name, o.namespace, o.line], ['DaemonSet', 'x', 'y', 3]);
    const containers = (((o.body()!.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<string, unknown>).containers as Record<string, unknown>[];
    assert.equal(o.lineOf(containers, 0), 11);
    assert.equal(o.lineOf(containers[0], 'image'), 12);
  });

  it('positions survive the cache when documents above move', () => {
    const cache = new ReadCache();
    const doc = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n';
    const a = readManifests('f', doc, cache);
    const b = readManifests('f', `kind: ServiceAccount\nmetadata: {name: s}\n---\n${doc}`, cache);
    assert.equal(a.objects[0].line, 2);
    assert.equal(b.objects[1].line, 5);
    const spec = b.objects[1].body()!.spec;
    assert.equal(b.objects[1].lineOf(spec, 'containers'), 9);
    assert.equal(a.objects[0].lineOf(a.objects[0].body()!.spec, 'containers'), 6);
  });

  it('does not parse kinds that do not matter, and reads ConfigMaps lazily', () => {
    const cache = new ReadCache();
    const r = readManifests('f', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ns # here\ndata:\n  a: "1"\n', cache);
    assert.deepEqual(r.objects.map((o) => [o.kind, o.skipped]), [['Service', true], ['ConfigMap', false]]);
    assert.equal(r.objects[1].name, 'cm');
    assert.equal(r.objects[1].namespace, 'ns');
    assert.deepEqual(r.objects[1].body()!.data, { a: '1' });
    assert.deepEqual(cheapMetadata('metadata:\n  labels:\n    name: nope\n  name: "yes"\n'), { name: 'yes', namespace: undefined });
    assert.equal(cheapMetadata('metadata: {name: x}\n'), undefined);
  });

  it('malformed YAML: notes with line numbers, the other documents still read', () => {
    const text = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n---\nkind: Role\nmetadata:\n  name: a\n   bad: indent\n';
    const r = readManifests('bad.yaml', text, new ReadCache());
    assert.ok(r.objects.some((o) => o.name === 'ok'));
    const errs = r.notes.filter((n) => n.code === 'yaml' && n.severity === 'error');
    assert.ok(errs.length >= 2, JSON.stringify(r.notes));
    for (const e of errs) assert.ok(e.line >= 6 && e.line <= 15, `line ${e.line}`);
    assert.doesNotThrow(() => analyzeDocument('bad.yaml', text));
  });

  it('binary input and huge input: clear notes, no throw', () => {
    const bin = readManifests('x.yaml', 'kind: Pod\u0000\u0001\u0002garbage', new ReadCache());
    assert.deepEqual(bin.notes.map((n) => n.code), ['binary']);
    const huge = 'a'.repeat(33 * 1024 * 1024);
    const h = readManifests('big.yaml', huge, new ReadCache());
    assert.deepEqual(h.notes.map((n) => n.code), ['too-large']);
    assert.match(h.notes[0].message, /not analysed/);
  });

  it('a large file of many documents reads in one pass', () => {
    const doc = (i: number) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${i}\n  namespace: ns\n`;
    const text = Array.from({ length: 5000 }, (_, i) => doc(i)).join('---\n');
    const r = readManifests('many.yaml', text, new ReadCache());
    assert.equal(r.objects.length, 5000);
    assert.equal(r.objects[4999].line, 4999 * 6 + 2);
  });

  it('Helm templates are skipped with a note, not an error', () => {
    const text = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {{ include "x.fullname" . }}\nspec:\n  {{- if .Values.enabled }}\n  template: {}\n  {{- end }}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: plain\n';
    const r = readManifests('templates/ds.yaml', text, new ReadCache());
    assert.deepEqual(r.notes.map((n) => [n.code, n.severity, n.line]), [['helm-template', 'info', 4]]);
    assert.deepEqual(r.objects.map((o) => o.name), ['plain']);
    // Prometheus templates inside strings are not Helm.
    const prom = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  r: "{{ $labels.instance }} is down"\n';
    assert.deepEqual(readManifests('rules.yaml', prom, new ReadCache()).notes, []);
  });

  it('kind: List items are objects', () => {
    const r = readManifests('l.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ServiceAccount\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ServiceAccount\n    metadata: {name: b}\n', new ReadCache());
    assert.deepEqual(r.objects.map((o) => o.name), ['a', 'b']);
    assert.equal(r.objects[1].line, 8);
  });

  it('alias bombs are bounded', () => {
    const bomb = 'kind: Pod\nmetadata: {name: b}\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
    const r = readManifests('bomb.yaml', bomb, new ReadCache());
    assert.ok(r.notes.some((n) => /alias/.test(n.message)));
  });

  it('the converter agrees with yaml toJS on the corpus', function () {
    if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing (CI copies shared/ beside the repository)`);
    for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.yaml'))) {
      const text = readFileSync(join(CORPUS, f), 'utf8');
      const expected = parseAllDocuments(text).map((d) => d.toJS()).filter((x) => x && typeof x === 'object' && x.kind);
      const got = readManifests(f, text, new ReadCache()).objects.filter((o) => !o.skipped).map((o) => o.body());
      const byName = (xs: unknown[]) => xs.filter((x) => ['DaemonSet', 'Deployment', 'ConfigMap', 'ClusterRole'].includes((x as { kind: string }).kind));
      assert.deepEqual(byName(got), byName(expected), f);
    }
  });
});

describe('analysis: shell commands', () => {
  it('reads kubectl calls, loops and sleeps', () => {
    const c = callsInScript('set -e\nwhile true; do\n  PODS=$(kubectl get pods --all-namespaces -o json)\n  kubectl get nodes,svc\n  sleep ${INTERVAL}\ndone\n', { INTERVAL: '45' });
    assert.deepEqual(c.map((x) => [x.verb, x.resource, x.scope, x.intervalSeconds, x.lineIndex]), [
      ['list', 'pods', 'cluster', 45, 2],
      ['list', 'nodes', 'cluster', 45, 3],
      ['list', 'services', 'namespace', 45, 3],
    ]);
  });

  it('node field selectors, watches, watch -n, curl', () => {
    const c = callsInScript('kubectl get po -A --field-selector spec.nodeName=$(NODE_NAME) -w\nwatch -n 10 kubectl get ep -n kube-system\ncurl -s "https://$KUBERNETES_SERVICE_HOST/api/v1/namespaces/a/pods?watch=true&resourceVersion=0"', { NODE_NAME: 'n1' });
    assert.deepEqual(c.map((x) => [x.verb, x.resource, x.scope, x.intervalSeconds, x.resourceVersion]), [
      ['watch', 'pods', 'node', 0, undefined],
      ['list', 'endpoints', 'namespace', 10, undefined],
      ['watch', 'pods', 'namespace', 0, '0'],
    ]);
  });

  it('a loop without sleep is marked hot', () => {
    const [c] = callsInScript('while :; do kubectl get pods -n a; done', {});
    assert.equal(c.hotLoop, true);
  });
});

describe('analysis: the api-calls annotation', () => {
  it('parses YAML and JSON lists', () => {
    const y = parseApiCallsAnnotation('- {verb: list, resource: po, scope: node, interval: 1m, resourceVersion: "0"}\n- {verb: watch, resource: nodes}\n', 10, 'f');
    assert.deepEqual(y.notes, []);
    assert.deepEqual(y.calls.map((c) => [c.verb, c.resource, c.scope, c.intervalSeconds, c.resourceVersion, c.evidence.line]), [
      ['list', 'pods', 'node', 60, '0', 11],
      ['watch', 'nodes', 'cluster', 0, undefined, 12],
    ]);
    const j = parseApiCallsAnnotation('[{"verb":"get","resource":"pods","scope":"namespace","interval":"5s"}]', 3, 'f');
    assert.deepEqual(j.calls.map((c) => [c.verb, c.intervalSeconds, c.evidence.line]), [['get', 5, 3]]);
    assert.deepEqual(parseApiCallsAnnotation('[]', 1, 'f'), { calls: [], notes: [] });
  });

  it('explains mistakes', () => {
    const bad = parseApiCallsAnnotation('- {verb: lsit, resource: pods}\n- {verb: list, resource: pods, interval: often}\n- {verb: list, resource: pods, resourceVersion: "5"}\n- {verb: list, resource: pods, scop: node}\n', 1, 'f');
    assert.deepEqual(bad.notes.map((n) => n.line), [2, 3, 4, 5]);
    assert.match(bad.notes[0].message, /verb must be one of/);
    assert.match(bad.notes[3].message, /unknown field\(s\) scop/);
    assert.equal(parseApiCallsAnnotation('{verb: list', 7, 'f').notes[0].line, 7);
  });
});

describe('analysis: never throws', () => {
  /** Small seeded generator (mulberry32). */
  function rng(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const PIECES = ['\n', ' ', '  ', '-', ':', '---\n', '...', '{', '}', '[', ']', '"', "'", '|', '>', '&a', '*a', '!!str', '#', '\t', '\u0000', '{{ .Values.x }}', 'kind: DaemonSet\n', 'kubectl get pods -A; sleep 1', 'while true; do', 'done', '%YAML 1.2\n', '? ', '<<: *a', '\r\n', 'é', '\uFEFF'];

  it('survives thousands of seeded mutations of the corpus', function () {
    this.timeout(120_000);
    if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing (CI copies shared/ beside the repository)`);
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(CORPUS, f), 'utf8'));
    const r = rng(20241211);
    const cache = new ReadCache(500);
    let runs = 0;
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
      let text = files[Math.floor(r() * files.length)];
      const edits = 1 + Math.floor(r() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * text.length);
        const kind = r();
        if (kind < 0.35) text = text.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + text.slice(at);
        else if (kind < 0.6) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 40));
        else if (kind < 0.8) {
          // swap indentation of a line
          const ls = text.split('\n');
          const li = Math.floor(r() * ls.length);
          ls[li] = r() < 0.5 ? ` ${ls[li]}` : ls[li].replace(/^ /, '');
          text = ls.join('\n');
        } else {
          // duplicate a slice elsewhere
          const from = Math.floor(r() * text.length);
          text = text.slice(0, at) + text.slice(from, from + Math.floor(r() * 200)) + text.slice(at);
        }
      }
      try {
        const res = analyzeDocument(`fuzz-${i}.yaml`, text, undefined, { cache });
        for (const f of res.findings) assert.ok(Number.isInteger(f.line) && f.line >= 1, `line ${f.line}`);
        for (const n of res.notes) assert.ok(Number.isInteger(n.line) && n.line >= 1, `note line ${n.line}`);
      } catch (e) {
        throw new Error(`mutation ${i} threw: ${(e as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
      }
      runs++;
    }
    assert.ok(runs >= 500, `${runs} runs`);
  });
});
