// The inventory's indexes of RBAC bindings and FlowSchemas give exactly what comparing every
// workload with every binding gave, in the same order, and the work grows with the input, not
// with its square. Analysing files one at a time without a cache gives the same results and lines.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../src/analysis/analyze';
import { addObject, emptyInventory, type BindingObj, type FlowSchemaObj, type Inventory, type Workload } from '../../src/analysis/objects';
import { ReadCache, readManifests } from '../../src/analysis/read';

const ROOT = resolve(__dirname, '../../..');
const CORPUS = join(ROOT, '../shared/corpus/manifests');
const FIXTURES = join(ROOT, 'test/fixtures');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

function inventoryOf(files: { path: string; text: string }[]): Inventory {
  const inv = emptyInventory();
  for (const f of files) for (const o of readManifests(f.path, f.text, null).objects) addObject(inv, o);
  return inv;
}

// What the analysis did before the indexes: every binding and FlowSchema compared with the workload.
function bindingsByScan(inv: Inventory, w: Workload): BindingObj[] {
  const matches = (s: { kind: string; name: string; namespace?: string }, bindingNs: string | undefined) =>
    s.kind === 'ServiceAccount'
      ? s.name === w.serviceAccount && (s.namespace ?? bindingNs ?? 'default') === w.namespace
      : s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${w.namespace}` || s.name === 'system:authenticated');
  return inv.bindings.filter((b) => b.subjects.some((s) => matches(s, b.namespace)) && (b.cluster || (b.namespace ?? 'default') === w.namespace));
}

function flowSchemaByScan(inv: Inventory, w: Workload): FlowSchemaObj | undefined {
  const matches = inv.flowSchemas.filter((f) =>
    f.subjects.some(
      (s) =>
        (s.kind === 'ServiceAccount' && (s.name === w.serviceAccount || s.name === '*') && (s.namespace ?? w.namespace) === w.namespace) ||
        (s.kind === 'Group' && s.name === `system:serviceaccounts:${w.namespace}`),
    ),
  );
  matches.sort((a, b) => a.precedence - b.precedence);
  return matches[0];
}

function assertSameAsScan(inv: Inventory, what: string): void {
  for (const w of inv.workloads) {
    const at = `${what}: ${w.kind} ${w.namespace}/${w.name}`;
    assert.deepEqual(
      inv.bindingIndex.forWorkload(w.namespace, w.serviceAccount).map((b) => `${b.obj.kind} ${b.namespace ?? ''}/${b.name}@${b.obj.file}:${b.obj.line}`),
      bindingsByScan(inv, w).map((b) => `${b.obj.kind} ${b.namespace ?? ''}/${b.name}@${b.obj.file}:${b.obj.line}`),
      at,
    );
    assert.equal(inv.flowSchemaIndex.forWorkload(w.namespace, w.serviceAccount), flowSchemaByScan(inv, w), at);
  }
}

const doc = (kind: string, name: string, namespace: string | undefined, rest: string) =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}${rest}`;
const workload = (name: string, namespace: string, sa: string) =>
  doc('Deployment', name, namespace, `spec:\n  template:\n    spec:\n      serviceAccountName: ${sa}\n      containers:\n        - name: c\n          image: example/${name}\n`);
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace: string | undefined, role: string, subjects: string) =>
  doc(kind, name, namespace, `roleRef:\n  kind: ${kind === 'RoleBinding' && !role.startsWith('!') ? 'Role' : 'ClusterRole'}\n  name: ${role.replace('!', '')}\nsubjects:\n${subjects}`);
const sa = (name: string, namespace?: string) => `  - kind: ServiceAccount\n    name: ${name}\n${namespace ? `    namespace: ${namespace}\n` : ''}`;
const group = (name: string) => `  - kind: Group\n    name: ${name}\n`;
const lister = (kind: 'Role' | 'ClusterRole', name: string, namespace: string | undefined, resources: string) =>
  doc(kind, name, namespace, `rules:\n  - apiGroups: [""]\n    resources: [${resources}]\n    verbs: [list, watch]\n`);
const flowSchema = (name: string, precedence: number, subjects: string) =>
  doc('FlowSchema', name, undefined, `spec:\n  matchingPrecedence: ${precedence}\n  priorityLevelConfiguration:\n    name: level-${name}\n  rules:\n    - subjects:\n${subjects}`);
const fsSa = (name: string, namespace?: string) => `        - kind: ServiceAccount\n          serviceAccount:\n            name: '${name}'\n${namespace ? `            namespace: ${namespace}\n` : ''}`;
const fsGroup = (name: string) => `        - kind: Group\n          group:\n            name: ${name}\n`;

/** Group subjects, RoleBindings in other namespaces, bindings to undefined and built-in roles, FlowSchemas that tie. */
const MIXED = [
  workload('api', 'shop', 'api'),
  workload('worker', 'shop', 'worker'),
  workload('report', 'billing', 'api'),
  workload('legacy', 'default', 'default'),
  lister('Role', 'reader', 'shop', 'pods, endpoints'),
  lister('ClusterRole', 'node-reader', undefined, 'nodes'),
  binding('RoleBinding', 'api-reader', 'shop', 'reader', sa('api')),
  binding('RoleBinding', 'api-reader-elsewhere', 'billing', 'reader', sa('api', 'shop')),
  binding('RoleBinding', 'billing-api', 'billing', '!node-reader', sa('api')),
  binding('ClusterRoleBinding', 'all-sas', undefined, 'view', group('system:serviceaccounts')),
  binding('ClusterRoleBinding', 'shop-sas', undefined, 'node-reader', group('system:serviceaccounts:shop') + group('system:serviceaccounts:shop')),
  binding('RoleBinding', 'billing-group-in-shop', 'shop', 'reader', group('system:serviceaccounts:billing')),
  binding('ClusterRoleBinding', 'everyone', undefined, 'not-defined-anywhere', group('system:authenticated') + sa('worker', 'shop')),
  binding('ClusterRoleBinding', 'users', undefined, 'cluster-admin', '  - kind: User\n    name: alice\n' + group('system:masters')),
  binding('ClusterRoleBinding', 'default-sa', undefined, 'edit', sa('default')),
  binding('ClusterRoleBinding', 'api-twice', undefined, 'node-reader', sa('api', 'shop') + sa('api', 'billing')),
  flowSchema('any-api', 500, fsSa('api')),
  flowSchema('shop-wild', 500, fsSa('*', 'shop')),
  flowSchema('billing-group', 400, fsGroup('system:serviceaccounts:billing')),
  flowSchema('user-only', 1, '        - kind: User\n          user:\n            name: alice\n'),
].join('---\n');

describe('analysis: the binding and FlowSchema indexes', () => {
  it('the mixed case: the same bindings, in the same order, and the same FlowSchema as comparing every one', () => {
    const inv = inventoryOf([{ path: 'mixed.yaml', text: MIXED }]);
    assert.equal(inv.workloads.length, 4);
    assertSameAsScan(inv, 'mixed');
    const names = (ns: string, account: string) => inv.bindingIndex.forWorkload(ns, account).map((b) => b.name);
    assert.deepEqual(names('shop', 'api'), ['api-reader', 'all-sas', 'shop-sas', 'everyone', 'api-twice']);
    // billing-group-in-shop is a RoleBinding in shop: it grants billing's accounts nothing in billing.
    assert.deepEqual(names('billing', 'api'), ['billing-api', 'all-sas', 'everyone', 'api-twice']);
    assert.deepEqual(names('default', 'default'), ['all-sas', 'everyone', 'default-sa']);
    assert.equal(inv.flowSchemaIndex.forWorkload('shop', 'api')?.name, 'any-api');
    assert.equal(inv.flowSchemaIndex.forWorkload('shop', 'worker')?.name, 'shop-wild');
    assert.equal(inv.flowSchemaIndex.forWorkload('billing', 'api')?.name, 'billing-group');
    assert.equal(inv.flowSchemaIndex.forWorkload('default', 'default'), undefined);
  });

  it('the mixed case: reach and notes from built-in, undefined and namespaced roles', () => {
    const r = analyze([{ path: 'mixed.yaml', text: MIXED }]);
    const w = (name: string) => r.workloads.find((x) => x.workload.name === name)!;
    const reach = (name: string) => w(name).reach.map((c) => `${c.resource}/${c.scope}`).sort();
    // api in shop: reader (pods, endpoints in shop), view (cluster), node-reader (cluster).
    assert.deepEqual(reach('api'), ['endpoints/cluster', 'endpoints/namespace', 'events/cluster', 'nodes/cluster', 'pods/cluster', 'pods/namespace', 'replicasets/cluster', 'services/cluster']);
    // report (billing/api): the shop RoleBinding that names shop's api does not apply in billing.
    assert.ok(!reach('report').includes('pods/namespace'));
    assert.ok(reach('report').includes('nodes/cluster'));
    assert.equal(w('report').flowSchema, 'billing-group');
    assert.equal(w('report').priorityLevel, 'level-billing-group');
    const notes = r.notes.filter((n) => n.code === 'reference').map((n) => n.message);
    assert.ok(notes.some((m) => /ClusterRoleBinding everyone binds worker to ClusterRole not-defined-anywhere, which is not in these files$/.test(m)));
    assert.ok(notes.some((m) => /ClusterRoleBinding all-sas binds api to ClusterRole view, which is not in these files \(its built-in rules are assumed\)/.test(m)));
    assert.ok(!notes.some((m) => /cluster-admin/.test(m)), 'User and system:masters subjects bind no workload');
  });

  it('the corpus and the fixtures: the same bindings and FlowSchemas as comparing every one', function () {
    const files = [...(existsSync(CORPUS) ? yamlFiles(CORPUS) : []), ...yamlFiles(FIXTURES)].map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    if (!existsSync(CORPUS)) assert.fail(`${CORPUS} is missing: the manifest corpus lives in shared/corpus/manifests beside the repository`);
    const inv = inventoryOf(files);
    assert.ok(inv.workloads.length > 20 && inv.bindings.length > 10, `${inv.workloads.length} workloads, ${inv.bindings.length} bindings`);
    assertSameAsScan(inv, 'all files together');
    for (const f of files) assertSameAsScan(inventoryOf([f]), f.path);
  });

  it('looks at each workload\'s own bindings only: the work grows linearly with the number of apps', () => {
    // Each app: a workload, its ServiceAccount, a ClusterRole and a ClusterRoleBinding of its own,
    // and a RoleBinding in its namespace; plus three group bindings every workload gets.
    const apps = (n: number) => {
      const docs = [binding('ClusterRoleBinding', 'g1', undefined, 'view', group('system:serviceaccounts')), binding('ClusterRoleBinding', 'g2', undefined, 'view', group('system:authenticated'))];
      for (let i = 0; i < n; i++) {
        const ns = `team-${i % 10}`;
        docs.push(workload(`app-${i}`, ns, `app-${i}`), doc('ServiceAccount', `app-${i}`, ns, ''), lister('ClusterRole', `app-${i}`, undefined, 'pods'));
        docs.push(binding('ClusterRoleBinding', `app-${i}`, undefined, `app-${i}`, sa(`app-${i}`, ns)), binding('RoleBinding', `app-${i}`, ns, '!view', sa(`app-${i}`)));
        if (i < 10) docs.push(binding('ClusterRoleBinding', `ns-${i}`, undefined, 'view', group(`system:serviceaccounts:${ns}`)));
      }
      return docs.join('---\n');
    };
    const examined = (n: number) => {
      const inv = inventoryOf([{ path: 'apps.yaml', text: apps(n) }]);
      for (const w of inv.workloads) {
        const own = inv.bindingIndex.forWorkload(w.namespace, w.serviceAccount);
        assert.equal(own.length, 5, `${w.name}: ${own.map((b) => b.name).join(', ')}`);
        inv.flowSchemaIndex.forWorkload(w.namespace, w.serviceAccount);
      }
      return { bindings: inv.bindings.length, examined: inv.bindingIndex.examined };
    };
    const small = examined(100);
    const large = examined(400);
    assert.equal(small.examined, 100 * 5);
    assert.equal(large.examined, 400 * 5);
    // Comparing every workload with every binding: 100 × 212 and 400 × 812.
    assert.deepEqual([small.bindings, large.bindings], [212, 812]);
    assert.ok(large.examined * 100 < large.bindings * 400);
  });

  it('analysing files one at a time without a cache gives the same results and lines as with one', () => {
    const paths = [...(existsSync(CORPUS) ? yamlFiles(CORPUS) : []), ...yamlFiles(join(FIXTURES, 'manifests'))];
    const files = paths.map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    const cached = analyze(files, undefined, { cache: new ReadCache() });
    let read = 0;
    const streamed = analyze(
      (function* () {
        for (const p of paths) {
          read++;
          yield { path: p, text: readFileSync(p, 'utf8') };
        }
      })(),
      undefined,
      { cache: null },
    );
    assert.equal(read, paths.length);
    assert.deepEqual(JSON.parse(JSON.stringify(streamed)), JSON.parse(JSON.stringify(cached)));
    assert.ok(streamed.findings.length > 10);
  });
});
