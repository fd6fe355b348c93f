// The seed tabletop recovered the way an SRE improvises at 3 a.m.: a nodeSelector that matches no
// node patched onto the telemetry DaemonSet with real kubectl through each cluster's exempt
// (break-glass) context. The agents leave only as fast as the saturated control plane lets the
// daemon set controller and the kubelets hear of it — slower on saturated prod-east than on
// healthy staging — and the report scores the mitigation like any other.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseScenario } from '../../src/sim/scenario';
import { Tabletop } from '../../src/tabletop/tabletop';

const SEED = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const PATCH = '{"spec":{"template":{"spec":{"nodeSelector":{"breakglass.dev/none":"true"}}}}}';

function kubectl(kubeconfig: string, cache: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) =>
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args], { timeout: 60_000, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (e, stdout, stderr) =>
      res({ code: e ? 1 : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe('tabletop: the nodeSelector patch through the exempt context recovers the seed incident', function () {
  this.timeout(300_000);
  let dir: string;
  before(function () {
    if (!existsSync(KUBECTL)) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'bg-tt-nodeselector-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('patched on every cluster at T+10m: agents leave slower where saturated; mitigated, recovered and scored', async () => {
    const scenario = parseScenario(readFileSync(SEED, 'utf8'), SEED);
    const tt = await Tabletop.start(scenario, { speed: 1, paused: true, journalDir: join(dir, 'journal'), via: 'cli', user: 'sre' });
    try {
      await tt.fastForward(600);
      const before = tt.scores();
      assert.ok(before.impactAt !== undefined && before.impactAt < 600, 'the incident has begun');
      const patchedAt = tt.now();
      for (const c of ['staging', 'prod-east', 'prod-west']) {
        const r = await kubectl(tt.kubeconfig, dir, ['--context', `${c}-breakglass`, '-n', 'monitoring', 'patch', 'ds', 'telemetry-agent', '-p', PATCH, '--request-timeout=20s']);
        assert.equal(r.code, 0, `${c}: ${r.out}`);
      }
      const agents = (c: string): number => tt.sim.cluster(c)!.snapshot().workloadPods?.['monitoring/telemetry-agent'] ?? 0;
      const at0 = { staging: agents('staging'), east: agents('prod-east') };
      await tt.fastForward(patchedAt + 60);
      // The share of agents gone after one simulated minute: the controller and kubelets on
      // healthy staging hear at once; on saturated prod-east their requests wait or are refused.
      const gone = (now: number, was: number): number => (was > 0 ? 1 - now / was : 1);
      const stagingGone = gone(agents('staging'), at0.staging);
      const eastGone = gone(agents('prod-east'), at0.east);
      assert.ok(stagingGone > 0.8, `staging lost ${stagingGone}`);
      assert.ok(eastGone < stagingGone, `prod-east (saturated) lost ${eastGone} of its agents, staging ${stagingGone}`);
      for (let t = patchedAt + 300; t <= patchedAt + 3 * 3600 && !tt.scores().recovered; t += 300) await tt.fastForward(t);
      assert.equal(agents('prod-east'), 0, 'every agent on prod-east gone');
      const s = tt.scores();
      assert.ok(s.timeToMitigate !== undefined && s.impactAt! + s.timeToMitigate >= patchedAt, `mitigated after the patch: ${JSON.stringify(s)}`);
      assert.ok(s.recovered, `recovered: ${JSON.stringify(s)}`);
      const finished = await tt.stop();
      assert.equal(finished.recovered, true);
    } finally {
      await tt.stop().catch(() => undefined);
    }
  });
});
