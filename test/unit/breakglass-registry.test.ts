// The break-glass action registry (src/breakglass/registry.ts): the same actions as the names
// the runbook parser accepts (names.ts, checked at load) and as readiness.ts's list; each
// action's own hooks fill in a cluster's body (real mode from the clusters' config, simulated
// mode for a tabletop's clusters). And src/breakglass/ as a layer: no import cycle among its files (type imports
// included), nothing from the runbook engine, the views, the command line or the cluster model's
// internals, and the extension's main bundle carries no action code.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { actionFor, actionNames, parseAction, simBodyFor } from '../../src/breakglass';
import { bodyForCluster } from '../../src/breakglass/clusters';
import { BREAKGLASS_ACTIONS } from '../../src/breakglass/names';
import { parsePreflightConfig } from '../../src/breakglass/preflight';
import { ACTION_READINESS, stepNeed } from '../../src/breakglass/readiness';
import { ACTIONS, registryProblems } from '../../src/breakglass/registry';
import type { BreakglassAction } from '../../src/breakglass/types';

const ROOT = resolve(__dirname, '../../..');
const SRC = join(ROOT, 'src');

describe('break-glass action registry', () => {
  it('holds exactly the actions names.ts lists, in its order', () => {
    assert.deepEqual(actionNames(), [...BREAKGLASS_ACTIONS]);
    for (const n of BREAKGLASS_ACTIONS) assert.equal(actionFor(n)?.name, n);
    assert.deepEqual(registryProblems(ACTIONS, BREAKGLASS_ACTIONS, ACTION_READINESS), []);
  });

  it('the load-time check catches a missing, an extra, a doubled, a reordered action and a readiness of another action or missing from readiness.ts', () => {
    const [a, b, c] = ACTIONS;
    const r = (...xs: BreakglassAction<unknown>[]) => xs.map((x) => x.readiness);
    assert.match(registryProblems([a, b], [a.name, b.name, c.name], r(a, b)).join('\n'), new RegExp(`no action for '${c.name}'`));
    assert.match(registryProblems([a, b, c], [a.name, b.name], r(a, b, c)).join('\n'), new RegExp(`action '${c.name}' is not in names.ts`));
    assert.match(registryProblems([a, b, b], [a.name, b.name], r(a, b)).join('\n'), new RegExp(`'${b.name}' is registered more than once`));
    assert.match(registryProblems([b, a], [a.name, b.name], r(a, b)).join('\n'), /another order/);
    const wrong = { ...a, readiness: b.readiness } as BreakglassAction<unknown>;
    assert.match(registryProblems([wrong, b], [a.name, b.name], r(a, b)).join('\n'), new RegExp(`'${a.name}' has the readiness of '${b.name}'`));
    assert.match(registryProblems([a, b], [a.name, b.name], r(a)).join('\n'), new RegExp(`the readiness of '${b.name}' is not in readiness.ts`));
    assert.match(registryProblems([a], [a.name], r(a, b)).join('\n'), new RegExp(`readiness.ts lists '${b.name}'`));
    // A copy with the same fields is not the action's own constant.
    assert.match(registryProblems([a], [a.name], [{ ...a.readiness }]).join('\n'), new RegExp(`the readiness of '${a.name}' is not in readiness.ts`));
  });

  it("readiness.ts's list is the registry's actions' own readiness, and each step's badge needs its action's path", () => {
    assert.deepEqual(ACTION_READINESS, ACTIONS.map((a) => a.readiness));
    for (const [i, a] of ACTIONS.entries()) {
      assert.equal(ACTION_READINESS[i], a.readiness, `${a.name}: the same constant`);
      assert.deepEqual(stepNeed({ kind: 'breakglass', spec: { action: a.name } }), { action: a.name, path: a.readiness.path });
    }
  });

  describe("a cluster's body", () => {
    const cfg = parsePreflightConfig(
      [
        'clusters:',
        '  - name: east',
        '    nodes: {inventory: {file: east-nodes.txt}, user: ops}',
        '    controlPlane: {inventory: {file: /etc/cp.txt}, user: admin}',
        '    breakglass: {context: east-breakglass}',
        '  - name: bare',
        '    etcd: {endpoints: [http://127.0.0.1:2379]}',
      ].join('\n'),
      '/cfg/preflight.yaml',
      { HOME: '/home/x' },
    );
    const [east, bare] = cfg.clusters;

    it('real mode: each action fills what the step leaves out from the cluster’s entry; relative inventories become absolute', () => {
      assert.deepEqual(bodyForCluster({ action: 'node-exec', clusters: '*', command: 'true' }, east, cfg), { action: 'node-exec', command: 'true', nodes: { file: '/cfg/east-nodes.txt' }, user: 'ops' });
      assert.deepEqual(bodyForCluster({ action: 'network-block', clusters: '*', port: 6443 }, east, cfg), { action: 'network-block', port: 6443, hosts: { file: '/etc/cp.txt' }, user: 'admin', sources: { file: '/cfg/east-nodes.txt' } });
      assert.deepEqual(bodyForCluster({ action: 'scale-apiserver', clusters: '*', command: 'x', user: 'root' }, east, cfg), { action: 'scale-apiserver', command: 'x', user: 'root', hosts: { file: '/etc/cp.txt' } });
      assert.deepEqual(bodyForCluster({ action: 'exempt-request', clusters: '*', path: '/api/v1/nodes' }, east, cfg), { action: 'exempt-request', path: '/api/v1/nodes', context: 'east-breakglass' });
      assert.deepEqual(bodyForCluster({ action: 'etcd-delete', clusters: '*', keys: ['/registry/a/b'] }, east, cfg), { action: 'etcd-delete', keys: ['/registry/a/b'] });
    });

    it("real mode: a cluster's break-glass kubeconfig is the action's setting (clusterTargets), not a body field exempt-request would refuse", () => {
      const [withKubeconfig] = parsePreflightConfig('clusters:\n  - name: west\n    breakglass: {context: west-breakglass, kubeconfig: /k/west.yaml}\n', '/cfg/p.yaml', { HOME: '/home/x' }).clusters;
      const body = bodyForCluster({ action: 'exempt-request', clusters: '*', path: '/api/v1/nodes' }, withKubeconfig, cfg);
      assert.deepEqual(body, { action: 'exempt-request', path: '/api/v1/nodes', context: 'west-breakglass' });
      assert.deepEqual(parseAction(body).problems, []);
    });

    it('real mode: what the step gives wins, and a cluster without the path adds nothing', () => {
      assert.deepEqual(bodyForCluster({ action: 'node-exec', nodes: ['10.0.0.1'], command: 'true' }, east, cfg), { action: 'node-exec', nodes: ['10.0.0.1'], command: 'true' });
      assert.deepEqual(bodyForCluster({ action: 'exempt-request', context: 'mine', path: '/api/v1/nodes' }, east, cfg), { action: 'exempt-request', context: 'mine', path: '/api/v1/nodes' });
      assert.deepEqual(bodyForCluster({ action: 'node-exec', clusters: '*', command: 'true' }, bare, cfg), { action: 'node-exec', command: 'true' });
      // Not an object, or an unknown action: passed on as it is (parsing reports it).
      assert.equal(bodyForCluster('x', east, cfg), 'x');
      assert.deepEqual(bodyForCluster({ action: 'nope', clusters: '*' }, east, cfg), { action: 'nope' });
    });

    it("simulated mode: exempt-request goes through each tabletop cluster's break-glass context; the others keep the step's body", () => {
      const body = { action: 'exempt-request', clusters: '*', verb: 'get', path: '/api/v1/nodes' };
      assert.deepEqual(simBodyFor(body, 'prod-east'), { ...body, context: 'prod-east-breakglass' });
      assert.ok(parseAction(simBodyFor(body, 'prod-east')).spec);
      for (const a of ACTIONS.filter((x) => x.name !== 'exempt-request')) assert.equal(simBodyFor({ action: a.name, clusters: '*' }, 'prod-east'), undefined, a.name);
      assert.equal(simBodyFor(undefined, 'prod-east'), undefined);
      assert.equal(simBodyFor({ action: 'nope' }, 'prod-east'), undefined);
    });
  });
});

/** Relative imports of a TypeScript file (import, import type, export … from, import()), as absolute paths without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) out.push(resolve(join(file, '..'), spec).replace(/\.ts$/, ''));
  }
  return out;
}

function moduleFile(p: string): string | undefined {
  for (const f of [`${p}.ts`, join(p, 'index.ts')]) if (existsSync(f)) return f;
  return undefined;
}

describe('src/breakglass as a layer', () => {
  const dir = join(SRC, 'breakglass');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));

  it('has no import cycle among its files, type imports included', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).map(moduleFile).filter((x): x is string => !!x && x.startsWith(dir + '/'))]));
    // Sanity: the reader sees the imports it must (index.ts re-exports the registry).
    assert.ok(graph.get(join(dir, 'index.ts'))?.includes(join(dir, 'registry.ts')));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((x) => x.slice(dir.length + 1)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(cycles, []);
  });

  it('imports nothing from the runbook engine, the views, the command line or the cluster model', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const imp of importsOf(f)) {
        const rel = imp.slice(SRC.length + 1);
        if (/^(runbook|views|cli)\//.test(rel) || rel.startsWith('sim/model/')) bad.push(`${f.slice(dir.length + 1)} imports ${rel}`);
      }
      if (/from ['"]vscode['"]/.test(readFileSync(f, 'utf8'))) bad.push(`${f.slice(dir.length + 1)} imports vscode`);
    }
    assert.deepEqual(bad, []);
  });

  it("the extension's main bundle carries no action's code (readiness.ts reads only their readiness constants)", function () {
    const bundle = join(ROOT, 'dist/extension.js');
    if (!existsSync(bundle)) throw new Error('dist/extension.js is missing: run `npm run build` first');
    const text = readFileSync(bundle, 'utf8');
    assert.match(text, /action:\s*\w+,\s*path:\s*["']controlPlane["']/, 'the readiness constants are there');
    for (const a of ACTIONS) assert.ok(!text.includes(a.title), `${a.name}'s code is in dist/extension.js`);
  });
});
