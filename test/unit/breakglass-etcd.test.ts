// etcd-delete against a real etcd (Debian's etcd-server on 127.0.0.1), and against the model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { actionFor, runStep, type ActionContext, type ActionResult } from '../../src/breakglass';
import { countBySelector, etcdDelete, simKeyspace, type EtcdDeletePlan, type EtcdDeleteSpec } from '../../src/breakglass/etcd-delete';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { etcdTarget, plaintextCredentialsProblem } from '../../src/breakglass/etcd-client';
import { etcdEnableAuth, etcdctl, freePort, makeCerts, startEtcd, type EtcdServer, type TlsFiles } from './helpers/servers';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

function ctxFor(env: Record<string, string>, o: Partial<ActionContext> = {}): ActionContext & { lines: string[] } {
  const lines: string[] = [];
  return { mode: 'real', runbookDir: __dirname, env, signal: new AbortController().signal, dryRun: false, log: (l) => lines.push(l), lines, ...o };
}

function keys(s: EtcdServer, prefix: string): string[] {
  return etcdctl(s, ['get', '--prefix', '--keys-only', prefix]).split('\n').filter(Boolean);
}

const SPEC: EtcdDeleteSpec = { keys: ['/registry/daemonsets/monitoring/telemetry-agent'], prefixes: ['/registry/pods/monitoring/telemetry-agent-'] };
const AGENT_PODS = ['bcdfg', 'hjklm', 'npqrs', 'tvwxz', '24567'].map((s) => `/registry/pods/monitoring/telemetry-agent-${s}`);
const BYSTANDERS = ['/registry/pods/monitoring/other-agent-bcdfg', '/registry/pods/default/telemetry-agent-bcdfg', '/registry/daemonsets/kube-system/kube-proxy', '/registry/daemonsets/monitoring/telemetry-agent-v2'];

function seed(s: EtcdServer): void {
  for (const k of [SPEC.keys[0], ...AGENT_PODS, ...BYSTANDERS]) etcdctl(s, ['put', k, `value of ${k}`]);
}

describe('breakglass etcd-delete: parsing', () => {
  it('accepts keys and prefixes; refuses broad prefixes and unknown fields', () => {
    const a = actionFor('etcd-delete')!;
    assert.ok(a.parse({ action: 'etcd-delete', ...SPEC, expect: 6 }).spec);
    for (const p of ['/', '/registry/', '/registry/pods/', 'registry/pods/x']) assert.ok(a.parse({ action: 'etcd-delete', prefixes: [p] }).problems.length, p);
    assert.match(a.parse({ action: 'etcd-delete', keys: ['/a/b'], endpoint: 'http://x' }).problems.join(), /unknown field 'endpoint'/);
    assert.match(a.parse({ action: 'etcd-delete' }).problems.join(), /keys/);
  });
});

describe('breakglass etcd-delete against a real etcd', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  beforeEach(async () => {
    etcd = await startEtcd();
    seed(etcd);
  });
  afterEach(async () => etcd && (await etcd.stop()));

  it('previews the keys with their mod revisions, then deletes exactly those', async () => {
    const ctx = ctxFor(etcd.env);
    const p = await etcdDelete.preview(SPEC, ctx);
    assert.equal(p.ok, true, p.summary);
    assert.deepEqual(p.items.map((i) => i.id).sort(), [SPEC.keys[0], ...AGENT_PODS].sort());
    for (const i of p.items) assert.match(i.detail, /^mod revision \d+$/);
    assert.match(p.summary, /^6 key\(s\) to delete .* \(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5 under \/registry\/pods\/monitoring\/telemetry-agent-\)$/);
    assert.equal(p.brief, '6 key(s) to delete');
    // A key that appears after the preview is not in the plan: it stays.
    etcdctl(etcd, ['put', '/registry/pods/monitoring/telemetry-agent-late1', 'x']);
    const r = await etcdDelete.run(SPEC, ctx, { plan: p.plan });
    assert.equal(r.ok, true, r.summary);
    assert.equal(r.items.filter((i) => /^deleted/.test(i.detail)).length, 6);
    // What was deleted, by the step's key and prefix: the pods' prefix is counted.
    assert.match(r.summary, /^deleted 6 of 6 key\(s\) from etcd \S+ \(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5 under \/registry\/pods\/monitoring\/telemetry-agent-\)$/);
    assert.equal(r.brief, '6 key(s) deleted');
    assert.deepEqual(ctx.lines, [], 'the summary is printed by the caller, once');
    assert.deepEqual(keys(etcd, '/registry/pods/monitoring/telemetry-agent-'), ['/registry/pods/monitoring/telemetry-agent-late1']);
    assert.deepEqual(keys(etcd, '/registry/daemonsets/monitoring/telemetry-agent'), ['/registry/daemonsets/monitoring/telemetry-agent-v2']);
    for (const b of BYSTANDERS) assert.deepEqual(keys(etcd, b), b === '/registry/daemonsets/monitoring/telemetry-agent-v2' ? [b] : [b]);
  });

  it('dry run removes nothing', async () => {
    const before = keys(etcd, '/registry/');
    const r = await etcdDelete.run(SPEC, ctxFor(etcd.env, { dryRun: true }));
    assert.match(r.summary, /^dry run: nothing deleted; 6 key\(s\)/);
    assert.equal(r.dryRun, true);
    assert.equal(r.brief, '6 key(s) to delete');
    assert.deepEqual(keys(etcd, '/registry/'), before);
  });

  it('refuses when `expect` does not match the preview', async () => {
    const r = await runStep({ action: 'etcd-delete', ...SPEC, expect: 5 }, ctxFor(etcd.env));
    assert.equal(r.result.ok, false);
    assert.match(r.result.summary, /expected 5: refusing/);
    assert.equal(keys(etcd, '/registry/pods/monitoring/telemetry-agent-').length, 5);
  });

  it('leaves a key that changed after the preview, reports it, and retries only it', async () => {
    const ctx = ctxFor(etcd.env);
    const p = await etcdDelete.preview(SPEC, ctx);
    const changed = AGENT_PODS[2];
    etcdctl(etcd, ['put', changed, 'recreated by the DaemonSet controller']);
    const r = await etcdDelete.run(SPEC, ctx, { plan: p.plan });
    assert.equal(r.ok, false);
    const item = r.items.find((i) => i.id === changed)!;
    assert.equal(item.ok, false);
    assert.match(item.detail, /changed since the preview \(mod revision \d+ -> \d+\): not deleted/);
    assert.match(r.summary, /deleted 5 of 6 key\(s\) .*\(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 4 under \/registry\/pods\/monitoring\/telemetry-agent-\); 1 changed since the preview/);
    assert.equal(r.brief, '5 key(s) deleted, 1 changed since the preview (kept)');
    assert.deepEqual(keys(etcd, '/registry/pods/monitoring/telemetry-agent-'), [changed]);
    // Retry: a fresh preview, then only the failed key.
    const p2 = await etcdDelete.preview(SPEC, ctx);
    assert.deepEqual((p2.plan as EtcdDeletePlan).keys.map((k) => k.key), [changed]);
    const r2 = await etcdDelete.run(SPEC, ctx, { plan: p2.plan, only: [changed] });
    assert.equal(r2.ok, true, r2.summary);
    assert.deepEqual(keys(etcd, '/registry/pods/monitoring/telemetry-agent-'), []);
  });

  it('a stopped etcd is a clear error within seconds', async () => {
    const env = etcd.env;
    await etcd.stop();
    const t0 = Date.now();
    const r = await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor(env));
    assert.equal(r.result.ok, false);
    assert.match(r.result.summary, /etcd is not reachable \(ETCDCTL_ENDPOINTS\): http:\/\/127\.0\.0\.1:\d+: connection refused/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});

describe('breakglass etcd-delete with TLS client certificates', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  let certs: TlsFiles;
  before(async () => {
    certs = makeCerts();
    etcd = await startEtcd({ tls: certs });
    seed(etcd);
  });
  after(async () => etcd && (await etcd.stop()));

  it('works with the right CA and client certificate (from ETCDCTL_* variables)', async () => {
    const p = await etcdDelete.preview(SPEC, ctxFor(etcd.env));
    assert.equal(p.ok, true, p.summary);
    assert.equal(p.items.length, 6);
  });

  it('settings override the environment', async () => {
    const p = await etcdDelete.preview(SPEC, ctxFor({}, { settings: { etcd: { endpoints: [etcd.endpoint], cacert: certs.ca, cert: certs.clientCert, key: certs.clientKey } } }));
    assert.equal(p.items.length, 6);
  });

  const cases: [string, (c: TlsFiles) => Record<string, string>, RegExp][] = [
    ['a client certificate of another CA', (c) => ({ ETCDCTL_CERT: c.otherClientCert, ETCDCTL_KEY: c.otherClientKey }), /etcd rejected the client certificate/],
    ['no client certificate', () => ({ ETCDCTL_CERT: '', ETCDCTL_KEY: '' }), /etcd requires a client certificate: set ETCDCTL_CERT and ETCDCTL_KEY/],
    ['a CA that did not sign the server', (c) => ({ ETCDCTL_CACERT: c.otherCa }), /server's certificate is not signed by the CA in ETCDCTL_CACERT/],
  ];
  for (const [what, env, re] of cases) {
    it(`${what}: a clear error within seconds, nothing deleted`, async () => {
      const t0 = Date.now();
      let err: ActionResult | undefined;
      try {
        await etcdDelete.run(SPEC, ctxFor({ ...etcd.env, ...env(certs) }));
      } catch (e) {
        err = { ok: false, summary: (e as Error).message, items: [] };
      }
      assert.ok(err, 'it must fail');
      assert.match(err.summary, re);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
      assert.equal(keys(etcd, '/registry/pods/monitoring/telemetry-agent-').length, 5);
    });
  }
});

describe('breakglass etcd-delete: a user and password over http://', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  let password: string;
  before(async () => {
    etcd = await startEtcd();
    seed(etcd);
    password = etcdEnableAuth(etcd);
  });
  after(async () => etcd && (await etcd.stop()));

  const endpointOnly = (): Record<string, string> => ({ ETCDCTL_ENDPOINTS: etcd.endpoint });
  const podCount = (): number => keys(etcd, '/registry/pods/monitoring/telemetry-agent-').length;

  const refusals: [string, () => Record<string, string>, () => ActionContext['settings'], RegExp][] = [
    ['ETCDCTL_USER and ETCDCTL_PASSWORD', () => ({ ...endpointOnly(), ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: password }), () => undefined, /\(ETCDCTL_USER\)/],
    ['ETCDCTL_USER as user:password', () => ({ ...endpointOnly(), ETCDCTL_USER: `root:${password}` }), () => undefined, /\(ETCDCTL_USER\)/],
    ['the `user` setting (a cluster entry)', () => ({}), () => ({ etcd: { endpoints: [etcd.endpoint], user: `root:${password}` } }), /\(the etcd `user` setting\)/],
  ];
  for (const [what, env, settings, source] of refusals) {
    it(`${what}: refused with the reason, nothing deleted`, async () => {
      const r = await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor(env(), { settings: settings() }));
      assert.equal(r.result.ok, false);
      assert.equal(r.preview, undefined, 'not even the preview may run');
      assert.match(r.result.summary, /refusing to connect: an etcd user and password are set .* but http:\/\/127\.0\.0\.1:\d+ is http:\/\/: they would cross the network in plaintext/);
      assert.match(r.result.summary, source);
      assert.match(r.result.summary, /allowPlaintextCredentials: true/);
      assert.equal(podCount(), 5);
    });
  }

  it('is refused before any connection is made', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    const port = await freePort();
    await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
    try {
      const r = await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor({ ETCDCTL_ENDPOINTS: `127.0.0.1:${port}`, ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: 'not-sent' }));
      assert.match(r.result.summary, /refusing to connect/);
      // Without credentials the same endpoint is connected to (the probe), so the listener works.
      await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor({ ETCDCTL_ENDPOINTS: `127.0.0.1:${port}` }));
      assert.ok(connections >= 1, 'the probe without credentials must reach the listener');
      const before = connections;
      await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor({ ETCDCTL_ENDPOINTS: `127.0.0.1:${port}`, ETCDCTL_USER: 'root:not-sent' }));
      assert.equal(connections, before);
    } finally {
      server.close();
    }
  });

  it('with `allowPlaintextCredentials: true` on the step the credentials are sent and the delete goes through', async () => {
    // Without credentials this etcd refuses: the delete below works only because they were sent.
    const anon = await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor(endpointOnly()));
    assert.equal(anon.result.ok, false);
    assert.match(anon.result.summary, /user name is empty|permission denied|Unauthenticated|user name not found|invalid auth token/i);
    assert.equal(podCount(), 5);
    const ctx = ctxFor({ ...endpointOnly(), ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: password });
    const r = await runStep({ action: 'etcd-delete', ...SPEC, allowPlaintextCredentials: true }, ctx);
    assert.equal(r.result.ok, true, r.result.summary);
    assert.match(r.result.summary, /^deleted 6 of 6 key\(s\)/);
    assert.equal(podCount(), 0);
    assert.ok(ctx.lines.some((l) => /^warning: an etcd user and password are set \(ETCDCTL_USER\) but .* in plaintext \(allowed by allowPlaintextCredentials\)$/.test(l)), ctx.lines.join('\n'));
    seed(etcd);
  });

  it('the cluster entry\'s `allowPlaintextCredentials` (settings) opts in too; a wrong password is still refused by etcd', async () => {
    const settings = { etcd: { endpoints: [etcd.endpoint], user: `root:${password}`, allowPlaintextCredentials: true } };
    const p = await etcdDelete.preview(SPEC, ctxFor({}, { settings }));
    assert.equal(p.ok, true, p.summary);
    assert.equal(p.items.length, 6);
    const wrong = await runStep({ action: 'etcd-delete', ...SPEC }, ctxFor({}, { settings: { etcd: { ...settings.etcd, user: 'root:wrong' } } }));
    assert.equal(wrong.result.ok, false);
    assert.match(wrong.result.summary, /etcd refused the credentials|authentication failed/i);
    assert.equal(podCount(), 5);
  });

  it('no user, or https:// endpoints, is no plaintext problem; the step field must be a boolean', () => {
    assert.equal(plaintextCredentialsProblem(etcdTarget({ ETCDCTL_ENDPOINTS: 'http://10.0.0.1:2379' })), undefined);
    assert.equal(plaintextCredentialsProblem(etcdTarget({ ETCDCTL_ENDPOINTS: 'https://10.0.0.1:2379', ETCDCTL_USER: 'u:p' })), undefined);
    assert.match(plaintextCredentialsProblem(etcdTarget({ ETCDCTL_ENDPOINTS: 'https://10.0.0.1:2379,http://10.0.0.2:2379', ETCDCTL_USER: 'u:p' }))!, /http:\/\/10\.0\.0\.2:2379 is http:\/\//);
    const a = actionFor('etcd-delete')!;
    assert.match(a.parse({ action: 'etcd-delete', ...SPEC, allowPlaintextCredentials: 'yes' }).problems.join(), /`allowPlaintextCredentials` must be true or false/);
    assert.equal((a.parse({ action: 'etcd-delete', ...SPEC, allowPlaintextCredentials: true }).spec as EtcdDeleteSpec).allowPlaintextCredentials, true);
  });
});

describe('breakglass etcd-delete in simulation', () => {
  it('lists the model keyspace; deleting the DaemonSet key leaves its agents running', async () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    for (let i = 0; i < 300; i++) sim.step(1);
    const cluster = sim.cluster('prod-east')!;
    const space = simKeyspace(cluster);
    assert.ok(space.some((k) => k.key === '/registry/daemonsets/monitoring/telemetry-agent'));
    const ctx = ctxFor({}, { mode: 'sim', sim: { cluster } });
    const p = await etcdDelete.preview(SPEC, ctx);
    assert.equal(p.items.length, 1 + 5000);
    const r = await etcdDelete.run(SPEC, ctx, { plan: p.plan });
    assert.equal(r.ok, true, r.summary);
    // The object is gone, the agents are not: kubelets hear of it only through the API server.
    assert.equal(cluster.workloads().some((w) => w.name === 'telemetry-agent'), false);
    assert.equal(cluster.snapshot().workloadPods['monitoring/telemetry-agent'], 5000);
    // What it says comes from the model: every key and prefix counted, the agents still running.
    assert.match(r.summary, /^deleted 5001 of 5001 key\(s\) from simulated etcd of prod-east \(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5000 under \/registry\/pods\/monitoring\/telemetry-agent-\); monitoring\/telemetry-agent gone from the API, 5000 of its agents still running until their kubelets hear of it through the API server$/);
    assert.equal(r.brief, '5001 key(s) deleted');
    assert.match(p.summary, /^5001 key\(s\) to delete .*\(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5000 under \/registry\/pods\/monitoring\/telemetry-agent-\)$/);
  });

  it('after the agents were stopped on their nodes, their pod objects are still in etcd and counted; the message says none is running', async () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    for (let i = 0; i < 600; i++) sim.step(1);
    const cluster = sim.cluster('prod-east')!;
    const events: string[] = [];
    cluster.onEvent((e) => events.push(`${e.kind}: ${e.detail}`));
    // A node-level stop on every node (what node-exec does as its sessions finish).
    assert.equal(cluster.stopAgentsOn('monitoring', 'telemetry-agent', 5000), 5000);
    assert.equal(cluster.snapshot().workloadPods['monitoring/telemetry-agent'], 0);
    // Stopping a container deletes no object: the pods are still under the prefix.
    assert.equal(cluster.podObjects('monitoring', 'telemetry-agent'), 5000);
    const ctx = ctxFor({}, { mode: 'sim', sim: { cluster } });
    const p = await etcdDelete.preview(SPEC, ctx);
    assert.equal(p.items.length, 5001);
    const r = await etcdDelete.run(SPEC, ctx, { plan: p.plan });
    assert.match(r.summary, /\(1 at \/registry\/daemonsets\/monitoring\/telemetry-agent, 5000 under \/registry\/pods\/monitoring\/telemetry-agent-\); monitoring\/telemetry-agent gone from the API, none of its agents is running$/);
    assert.doesNotMatch(r.summary, /still running|until/);
    assert.deepEqual(
      events.filter((e) => /^(etcd-delete|workload-deleted)/.test(e)),
      [
        'workload-deleted: DaemonSet monitoring/telemetry-agent deleted; none of its agents is running',
        'etcd-delete: monitoring/telemetry-agent: object removed from etcd; none of its agents is running',
        'etcd-delete: 5000 pod object(s) of monitoring/telemetry-agent removed from etcd; none of their agents is running',
      ],
    );
    // Nothing is left to delete.
    assert.equal(cluster.podObjects('monitoring', 'telemetry-agent'), 0);
    assert.equal((await etcdDelete.preview(SPEC, ctx)).items.filter((i) => !i.unchanged).length, 0);
  });

  it('countBySelector: each key and prefix with its count; a key named exactly is not counted again under a prefix', () => {
    const spec: EtcdDeleteSpec = { keys: ['/registry/daemonsets/ns/a', '/registry/pods/ns/a-x'], prefixes: ['/registry/pods/ns/a-', '/registry/pods/ns/b-'] };
    assert.equal(countBySelector(spec, ['/registry/daemonsets/ns/a', '/registry/pods/ns/a-x', '/registry/pods/ns/a-y', '/registry/pods/ns/a-z']), '1 at /registry/daemonsets/ns/a, 1 at /registry/pods/ns/a-x, 2 under /registry/pods/ns/a-, 0 under /registry/pods/ns/b-');
    assert.equal(countBySelector(spec, []), '0 at /registry/daemonsets/ns/a, 0 at /registry/pods/ns/a-x, 0 under /registry/pods/ns/a-, 0 under /registry/pods/ns/b-');
  });
});
