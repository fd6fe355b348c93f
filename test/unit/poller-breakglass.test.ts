// The health poller on the seed tabletop's prod-east while the telemetry agents saturate it: the
// ordinary context gets 429s and timeouts, the poller reads on through the cluster's break-glass
// context (exempt from API Priority and Fairness) within the same budget, names that path in every
// reading, and when no API server replica answers at all it says so and marks the values as old.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { breakglassContextOf } from '../../src/cluster/breakglass-context';
import { KubeconfigRequester, type ApiResponse, type Requester } from '../../src/cluster/connection';
import { HEALTH_BUDGET_PER_MINUTE, HealthPoller, type HealthSnapshot } from '../../src/cluster/poller';
import { parseScenario } from '../../src/sim/scenario';
import { Tabletop } from '../../src/tabletop/tabletop';
import { isStale } from '../../src/views/healthView';

const SEED = join(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

/** A requester that notes when (on the poller's clock) each request was sent, and through which path. */
class Counted implements Requester {
  readonly sent: { at: number; path: string }[] = [];
  constructor(
    private readonly inner: Requester,
    private readonly now: () => number,
  ) {}
  get label(): string {
    return this.inner.label;
  }
  get(path: string, opts: { timeoutMs: number; accept?: string }): Promise<ApiResponse> {
    this.sent.push({ at: this.now(), path });
    return this.inner.get(path, opts);
  }
}

describe('health poller through the break-glass context (seed tabletop)', function () {
  this.timeout(300_000);
  let tt: Tabletop | undefined;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bg-poller-'));
    tt = await Tabletop.start(parseScenario(readFileSync(SEED, 'utf8'), SEED), { journalDir: dir, paused: true });
  });
  after(async () => {
    await tt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads on through the exempt context within its budget, and flags old values when no replica answers', async () => {
    let t = 1_700_000_000_000;
    const now = () => t;
    const ordinary = new Counted(new KubeconfigRequester(tt!.kubeconfig, 'prod-east'), now);
    const exempt = new Counted(new KubeconfigRequester(tt!.kubeconfig, breakglassContextOf('prod-east')), now);
    const poller = new HealthPoller(ordinary, { fallback: exempt, simClients: true, now, random: () => 0.5 });
    const model = tt!.sim.cluster('prod-east')!;
    const polls: { s: HealthSnapshot; up: number; rejecting: boolean }[] = [];
    // Twenty simulated minutes from the rollout, the simulation stepped in lockstep with the poller's clock.
    while (tt!.sim.now() < 20 * 60) {
      const before = model.snapshot().apiserver;
      const s = await poller.pollOnce();
      polls.push({ s, up: before.replicasReady, rejecting: before.rejectedPerSecond > 0 });
      const steps = Math.round(poller.nextDelayMs / 1000);
      for (let k = 0; k < steps; k++) tt!.sim.step(1);
      t += poller.nextDelayMs;
    }
    const show = (p: { s: HealthSnapshot; up: number }) => `${new Date(p.s.at).toISOString().slice(11, 19)} up=${p.up} ${p.s.state} via ${p.s.via?.path}: ${p.s.summary}`;

    // Saturated with a replica up: every poll answered, through the exempt context, with current readings.
    const saturated = polls.filter((p) => p.up > 0 && p.rejecting);
    assert.ok(saturated.length >= 15, `polls while saturated: ${saturated.length}`);
    for (const p of saturated) {
      const s = p.s;
      assert.equal(s.error, undefined, show(p));
      assert.equal(s.state, 'saturated', show(p));
      // Read by this poll, or by the one before when a request of this one was shed on both paths
      // (each reading shows its age; never older than one poll while the server answers).
      for (const r of [s.readyz, s.inflight, s.limit]) assert.ok(r && s.at - r.at <= 30_000, `at most one poll old: ${show(p)}`);
      // DNS and who loads it: read once a minute, never older than that while the server answers.
      for (const r of [s.dnsReadyAddresses, s.topClients]) assert.ok(r && s.at - r.at <= 60_000, `DNS and clients at most a minute old: ${show(p)}`);
      for (const r of [s.readyz, s.inflight, s.dnsReadyAddresses, s.topClients]) assert.equal(isStale(r!, s, s.at), false, show(p));
      assert.equal(s.lastAnswer?.at, s.at);
    }
    const current = saturated.filter(({ s }) => s.readyz?.at === s.at && s.inflight?.at === s.at && s.limit?.at === s.at);
    assert.ok(current.length >= 0.9 * saturated.length, `${current.length} of ${saturated.length} saturated polls read readyz and /metrics afresh`);
    const viaExempt = saturated.filter((p) => p.s.via?.fallback);
    assert.ok(viaExempt.length >= 0.8 * saturated.length, `${viaExempt.length} of ${saturated.length} saturated polls through the break-glass context`);
    const metricsViaExempt = saturated.filter((p) => p.s.inflight?.source === '/metrics via prod-east-breakglass (exempt)');
    assert.ok(metricsViaExempt.length >= 0.7 * saturated.length, `${metricsViaExempt.length} of ${saturated.length} /metrics scrapes through the break-glass context`);
    for (const { s } of viaExempt) {
      assert.equal(s.via?.path, 'prod-east-breakglass (exempt)');
      // Each reading names its path: the ordinary one when it answered there before a later request was shed.
      assert.match(s.inflight!.source, /^\/metrics via prod-east(-breakglass \(exempt\))?$/);
      assert.match(s.readyz!.source, /^\/readyz\?verbose via prod-east(-breakglass \(exempt\))?$/);
      assert.match(s.summary, /ordinary path prod-east: /);
    }
    // Rates need two scrapes of the same replica's counters (a restarted replica starts them from
    // zero): most polls through the exempt path see global-default, where the agents land, rejecting,
    // and name it as the flow schema carrying the load.
    const seesRejections = viaExempt.filter(({ s }) => (s.rejectedPerSecondByLevel?.value['global-default'] ?? 0) > 0 && s.loadByFlowSchema?.at === s.at && s.loadByFlowSchema.value.some((f) => f.flowSchema === 'global-default' && f.rejectedPerSecond > 0));
    assert.ok(seesRejections.length >= 0.6 * viaExempt.length, `${seesRejections.length} of ${viaExempt.length} polls through the exempt path see global-default rejecting`);

    // Every replica down (OOM-killed): no path answers. Said so, and every value shown is old.
    const down = polls.filter((p) => p.up === 0);
    assert.ok(down.length >= 3, `polls with every replica down: ${down.length}`);
    for (const p of down) {
      const s = p.s;
      assert.equal(s.state, 'unreachable', show(p));
      assert.match(s.summary, /unreachable on every path/);
      assert.ok(s.lastAnswer && s.lastAnswer.at < s.at, show(p));
      for (const r of [s.readyz, s.inflight, s.limit, s.dnsReadyAddresses, s.topClients]) {
        assert.ok(r && r.at < s.at, `a value from before: ${show(p)}`);
        assert.equal(isStale(r, s, s.at), true, `flagged as old: ${show(p)}`);
      }
    }
    // One notion of "last answer": no reading is newer than it, in any snapshot.
    for (const { s } of polls) {
      for (const r of [s.readyz, s.inflight, s.dnsReadyAddresses, s.topClients, s.nodesReadySample]) if (r) assert.ok(s.lastAnswer && r.at <= s.lastAnswer.at, `reading newer than the last answer at ${s.at}`);
    }

    // The budget holds on both paths together: never more than 12 requests in any 60 s.
    const sent = [...ordinary.sent, ...exempt.sent].map((x) => x.at).sort((a, b) => a - b);
    for (const at of sent) {
      const inMinute = sent.filter((x) => x > at - 60_000 && x <= at).length;
      assert.ok(inMinute <= HEALTH_BUDGET_PER_MINUTE, `${inMinute} requests in the minute before ${at}`);
    }
    assert.equal(poller.cost.requests, sent.length);
    // The ordinary path backs off while it fails: after the first five minutes, a probe every minute or two at most.
    const late = ordinary.sent.filter((x) => x.at > polls[0].s.at + 5 * 60_000);
    assert.ok(late.length <= 15, `ordinary requests after five minutes: ${late.length}`);
    assert.ok(exempt.sent.some((x) => x.path.includes('prioritylevelconfigurations/exempt')), 'the exempt level was verified');
    // The panels' requests are not the participants': the tabletop does not count them.
    assert.deepEqual(tt!.requests, { total: 0, whileSaturated: 0, refused: 0, exempt: 0 });
  });
});
