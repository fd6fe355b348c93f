// runbooks/pre-deploy-load-review.md on the manifests shipped in runbooks/examples/: its gate step,
// run as the runner runs it (bash -eo pipefail, in the runbook's folder, parameters as environment
// variables), blocks the 2024-12-11 DaemonSet at the largest cluster and clears the node-scoped one.
// Needs dist/cli.js (npm run build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRunbook } from '../../src/runbook/parse';

const ROOT = resolve(__dirname, '../../..');
const DIR = join(ROOT, 'runbooks');
const RUNBOOK = join(DIR, 'pre-deploy-load-review.md');

function gate(params: Record<string, string>): { code: number | null; out: string } {
  const { runbook } = parseRunbook(readFileSync(RUNBOOK, 'utf8'), RUNBOOK);
  const step = runbook.steps.find((s) => s.id === 'gate-largest-profile');
  assert.ok(step, 'the runbook has a gate-largest-profile step');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const p of runbook.params) if (p.default !== undefined) env[p.name] = p.default;
  Object.assign(env, params);
  // The repository's own build, not whatever `breakglass` a PATH may hold.
  env.PATH = (env.PATH ?? '').split(':').filter((d) => !existsSync(join(d, 'breakglass'))).join(':');
  const r = spawnSync('/bin/bash', ['-eo', 'pipefail', '-c', step.body], { cwd: DIR, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('pre-deploy load review on the shipped examples', function () {
  this.timeout(60_000);
  before(() => {
    assert.ok(existsSync(join(ROOT, 'dist/cli.js')), 'dist/cli.js is missing: run `npm run build` first');
  });

  it('blocks the 2024-12-11 DaemonSet at the largest profile', () => {
    const r = gate({ MANIFEST: 'examples/telemetry-agent.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /verdict at prod-east \(5000 nodes\): BLOCKED/, r.out);
    assert.match(r.out, /BLOCK error\s+per-node-cluster-list: DaemonSet monitoring\/telemetry-agent/, r.out);
    assert.match(r.out, /\d+× capacity at prod-east/, r.out);
  });

  it('lets the node-scoped agent through', () => {
    const r = gate({ MANIFEST: 'examples/telemetry-agent-node-scoped.yaml' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /verdict at prod-east \(5000 nodes\): clear to roll out/, r.out);
    assert.doesNotMatch(r.out, /^BLOCK/m, r.out);
  });

  it('lets the same DaemonSet through when reviewed against staging alone', () => {
    const r = gate({ MANIFEST: 'examples/telemetry-agent.yaml', PROFILES: 'staging=40:30' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /verdict at staging \(40 nodes\): clear to roll out/, r.out);
  });

  it('blocks a warning only through its load at the largest profile', () => {
    // The offender's one warning (no FlowSchema of its own) carries 66× capacity at prod-east.
    assert.match(gate({ MANIFEST: 'examples/telemetry-agent.yaml' }).out, /^BLOCK warning\s+no-own-flowschema/m);
    const loose = gate({ MANIFEST: 'examples/telemetry-agent.yaml', MAX_CAPACITY: '1000' });
    assert.match(loose.out, /^ok\s+warning\s+no-own-flowschema/m, loose.out);
    assert.equal(loose.code, 1, 'its errors still block');
  });
});
