// scale-apiserver: in simulation the model gains API server replicas that serve only once started;
// for real, the body's command runs on the control-plane hosts over SSH (a real sshd here).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionFor, headlessTimeline, runStep, type ActionContext } from '../../src/breakglass';
import { parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { loginUser, makeSshKey, removeTempDir, startSshd, tempDir, type SshNode } from './helpers/servers';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

describe('breakglass scale-apiserver', function () {
  this.timeout(60_000);

  it('validates its body', () => {
    const a = actionFor('scale-apiserver')!;
    assert.match(a.parse({ action: 'scale-apiserver' }).problems.join(), /give `command`/);
    assert.match(a.parse({ action: 'scale-apiserver', command: 'true' }).problems.join(), /`hosts`/);
    assert.ok(a.parse({ action: 'scale-apiserver', command: 'true', clusters: '*' }).spec, 'hosts come from the clusters config');
    assert.match(a.parse({ action: 'scale-apiserver', replicas: 0 }).problems.join(), /replicas/);
    assert.ok(a.parse({ action: 'scale-apiserver', replicas: 5 }).spec);
  });

  it('in simulation: more replicas, which serve only after they started', async () => {
    const sim = new Simulation(parseScenario(readFileSync(SEED, 'utf8'), SEED));
    const cluster = sim.cluster('prod-west')!;
    for (let i = 0; i < 30; i++) sim.step(1);
    const ctx: ActionContext = { mode: 'sim', runbookDir: __dirname, env: {}, signal: new AbortController().signal, dryRun: false, log: () => undefined, sim: { cluster, timeline: headlessTimeline(sim) } };
    const dry = await runStep({ action: 'scale-apiserver', replicas: 5 }, { ...ctx, dryRun: true });
    assert.equal(dry.result.ok, true);
    assert.equal(cluster.snapshot().apiserver.replicas, 3, 'a dry run changes nothing');
    const r = await runStep({ action: 'scale-apiserver', replicas: 5 }, ctx);
    assert.equal(r.result.ok, true, r.result.summary);
    const s = cluster.snapshot().apiserver;
    assert.equal(s.replicas, 5);
    assert.ok(s.replicasReady <= 3, 'new replicas do not serve at once');
    for (let i = 0; i < 300; i++) sim.step(1);
    assert.ok(cluster.snapshot().apiserver.replicasReady >= 4, `after 5 minutes: ${cluster.snapshot().apiserver.replicasReady} ready`);
    const again = await runStep({ action: 'scale-apiserver', replicas: 5 }, ctx);
    assert.equal(again.result.items[0].unchanged, true);
  });

  describe('for real, over SSH', () => {
    let dir: string;
    let hosts: SshNode[] = [];
    before(async function () {
      if (!existsSync('/usr/sbin/sshd')) this.skip();
      dir = tempDir('bg-scale-');
      const client = makeSshKey(dir, 'client');
      hosts = await Promise.all(['cp1', 'cp2'].map((name) => startSshd({ name, authorizedKey: client.publicLine, dir })));
      mkdirSync(join(dir, 'rb'));
      writeFileSync(join(dir, 'rb', 'control-plane.txt'), hosts.map((h) => h.address).join('\n') + '\n');
      writeFileSync(join(dir, 'known_hosts'), hosts.map((h) => h.knownHostsLine).join('\n') + '\n');
      process.env.__BG_SCALE_ENV = JSON.stringify({ HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin', BREAKGLASS_SSH_KEY: client.privateKey, BREAKGLASS_KNOWN_HOSTS: join(dir, 'known_hosts') });
    });
    after(async () => {
      await Promise.all(hosts.map((h) => h.stop()));
      if (dir) removeTempDir(dir);
      delete process.env.__BG_SCALE_ENV;
    });

    it('runs the command on every control-plane host and reports each', async () => {
      const env = JSON.parse(process.env.__BG_SCALE_ENV!) as Record<string, string>;
      const ctx: ActionContext = { mode: 'real', runbookDir: join(dir, 'rb'), env, signal: new AbortController().signal, dryRun: false, log: () => undefined };
      const body = { action: 'scale-apiserver', hosts: { file: 'control-plane.txt' }, user: loginUser(), command: `echo "$BG_NODE" >> ${dir}/started; echo started another kube-apiserver` };
      const r = await runStep(body, ctx);
      assert.equal(r.result.ok, true, r.result.summary);
      assert.equal(r.result.items.length, 2);
      assert.ok(r.result.items.every((i) => /started another kube-apiserver/.test(i.detail)));
      assert.equal(readFileSync(join(dir, 'started'), 'utf8').trim().split('\n').length, 2);
    });
  });
});
