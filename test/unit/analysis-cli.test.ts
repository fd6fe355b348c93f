import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allRules } from '../../src/analysis/rules';
import { CORPUS, FIXTURES, lint } from './helpers/lint';

const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: quiet\n';

describe('breakglass lint', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bg-lint-'));
    writeFileSync(join(dir, 'quiet.yaml'), sa);
  });

  it('exit codes: 1 on findings at or above --fail-on, 0 otherwise', async () => {
    const telemetry = join(FIXTURES, 'telemetry-agent.yaml');
    assert.equal((await lint(telemetry)).code, 1);
    assert.equal((await lint(telemetry, '--fail-on', 'error')).code, 1);
    assert.equal((await lint(telemetry, '--fail-on', 'never')).code, 0);
    // At staging size only, the telemetry agent is cheap: nothing at warning or above.
    assert.equal((await lint(telemetry, '--profile', 'staging=20:30')).code, 0);
    const node = join(FIXTURES, 'telemetry-agent-node-scoped.yaml');
    assert.equal((await lint(node)).code, 0);
    assert.equal((await lint(join(dir, 'quiet.yaml'))).code, 0);
  });

  it('exit 2 on unusable input and bad usage', async () => {
    const missing = await lint(join(dir, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such file or directory/);
    assert.equal((await lint()).code, 2);
    assert.equal((await lint(dir, '--format', 'xml')).code, 2);
    assert.equal((await lint(dir, '--fail-on', 'info')).code, 2);
    const badProfile = await lint(dir, '--profile', 'big');
    assert.equal(badProfile.code, 2);
    assert.match(badProfile.err, /NAME=NODES\[:PODS_PER_NODE\]/);
    const empty = mkdtempSync(join(tmpdir(), 'bg-lint-empty-'));
    assert.equal((await lint(empty)).code, 2);
    const bin = join(empty, 'bin.yaml');
    writeFileSync(bin, Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0, 1, 2, 3]));
    const b = await lint(bin);
    assert.equal(b.code, 2);
    assert.match(b.err, /binary/);
    const broken = join(empty, 'broken.yaml');
    writeFileSync(broken, 'kind: Pod\nmetadata:\n  name: [x\n');
    const br = await lint(broken);
    assert.equal(br.code, 2);
    assert.match(br.err, /broken\.yaml:\d+: error: YAML/);
  });

  it('walks directories for *.yaml and *.yml', async () => {
    const d = mkdtempSync(join(tmpdir(), 'bg-lint-walk-'));
    mkdirSync(join(d, 'sub'));
    mkdirSync(join(d, 'node_modules'));
    writeFileSync(join(d, 'sub', 'a.yml'), sa);
    writeFileSync(join(d, 'b.yaml'), sa);
    writeFileSync(join(d, 'notes.txt'), 'kind: DaemonSet');
    writeFileSync(join(d, 'node_modules', 'c.yaml'), '\u0000');
    const r = await lint(d);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /0 findings .* of 2 files/);
  });

  it('JSON output has exactly the documented shape', async () => {
    const r = await lint(join(FIXTURES, 'telemetry-agent.yaml'), '--format', 'json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['findings']);
    assert.ok(j.findings.length >= 4);
    for (const f of j.findings) {
      assert.deepEqual(Object.keys(f), ['rule', 'severity', 'file', 'line', 'workload', 'message', 'estimates']);
      assert.deepEqual(Object.keys(f.workload), ['kind', 'namespace', 'name']);
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
      assert.ok(Number.isInteger(f.line) && f.line >= 1);
      for (const e of f.estimates) assert.deepEqual(Object.keys(e), ['profile', 'nodes', 'requestsPerSecond', 'objectsPerSecond', 'bytesPerSecond', 'capacityRatio']);
    }
    const f = j.findings.find((x: { rule: string; workload: { name: string } }) => x.rule === 'per-node-cluster-list' && x.workload.name === 'telemetry-agent');
    assert.deepEqual(f.workload, { kind: 'DaemonSet', namespace: 'monitoring', name: 'telemetry-agent' });
    assert.deepEqual(f.estimates.map((e: { profile: string; nodes: number }) => [e.profile, e.nodes]), [['staging', 20], ['prod-large', 5000]]);
    assert.ok(f.estimates[1].capacityRatio >= 1 && f.estimates[0].capacityRatio < 0.01);
    assert.ok(f.file.endsWith('telemetry-agent.yaml'));
  });

  it('SARIF 2.1.0 for code scanning', async () => {
    const r = await lint(join(FIXTURES, 'telemetry-agent.yaml'), '--format', 'sarif', '--profile', 'prod=5000:30');
    const s = JSON.parse(r.out);
    assert.equal(s.version, '2.1.0');
    assert.match(s.$schema, /sarif-2\.1\.0/);
    assert.equal(s.runs.length, 1);
    const driver = s.runs[0].tool.driver;
    assert.equal(driver.name, 'breakglass');
    assert.deepEqual(driver.rules.map((x: { id: string }) => x.id), allRules().map((x) => x.id));
    for (const rule of driver.rules) {
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.ok(s.runs[0].results.length >= 4);
    for (const res of s.runs[0].results) {
      assert.ok(driver.rules[res.ruleIndex].id === res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.message.text.length > 0);
      const loc = res.locations[0].physicalLocation;
      assert.ok(!loc.artifactLocation.uri.includes('\\'));
      assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    }
  });

  it('--list-rules prints the registry as markdown', async () => {
    const r = await lint('--list-rules');
    assert.equal(r.code, 0);
    for (const rule of allRules()) assert.ok(r.out.includes(`## ${rule.id}`), rule.id);
    assert.match(r.out, /^# Breakglass lint rules/);
  });

  it('text output on the corpus names file:line, rule and workload', async function () {
    if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing (CI copies shared/ beside the repository)`);
    const r = await lint(CORPUS);
    assert.equal(r.code, 1);
    assert.match(r.out, /promtail\.yaml:\d+: error \[per-node-cluster-list\] DaemonSet default\/promtail: /);
    assert.match(r.out, /in \d+ workloads of 14 files/);
  });
});
