// A ```breakglass step in a runbook, run by `breakglass run --mode real` against a real etcd:
// preview, typed-context gate (--yes with the explicit --context), the delete, the journal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJournal } from '../../src/runbook/journal';
import { etcdctl, removeTempDir, startEtcd, tempDir, type EtcdServer } from './helpers/servers';

const CLI = resolve(__dirname, '../../../dist/cli.js');

describe('breakglass steps in a runbook (real mode)', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  let dir: string;
  before(async () => {
    etcd = await startEtcd();
    dir = tempDir('bg-runbook-');
  });
  after(async () => {
    await etcd?.stop();
    if (dir) removeTempDir(dir);
  });

  it('previews and deletes the DaemonSet and its pods from etcd, journaling the result', () => {
    etcdctl(etcd, ['put', '/registry/daemonsets/monitoring/telemetry-agent', 'ds']);
    for (const p of ['abcde', 'fghij']) etcdctl(etcd, ['put', `/registry/pods/monitoring/telemetry-agent-${p}`, 'pod']);
    etcdctl(etcd, ['put', '/registry/pods/monitoring/other-1', 'keep']);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {}\n');
    const rb = join(dir, 'rb.md');
    writeFileSync(rb, `---\nrunbook: true\ntitle: Remove the agent\n---\n\n\`\`\`breakglass {name=remove-from-etcd}\naction: etcd-delete\nkeys: [/registry/daemonsets/monitoring/telemetry-agent]\nprefixes: [/registry/pods/monitoring/telemetry-agent-]\n\`\`\`\n`);
    mkdirSync(join(dir, 'j'));
    const run = (extra: string[]) => spawnSync(process.execPath, [CLI, 'run', rb, '--all', '--mode', 'real', '--kubeconfig', kubeconfig, '--journal', join(dir, 'j'), ...extra], { env: { ...process.env, ...etcd.env }, encoding: 'utf8', timeout: 30_000 });
    // Without --yes (and no terminal) the destructive step does not run.
    const refused = run(['--context', 'prod']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.equal(etcdctl(etcd, ['get', '--prefix', '--keys-only', '/registry/pods/monitoring/telemetry-agent-']).trim().split('\n').filter(Boolean).length, 2);
    const ok = run(['--context', 'prod', '--yes']);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout + ok.stderr, /preview: 3 key\(s\) to delete/);
    assert.equal(etcdctl(etcd, ['get', '--prefix', '--keys-only', '/registry/daemonsets/']).trim(), '');
    assert.equal(etcdctl(etcd, ['get', '--prefix', '--keys-only', '/registry/pods/monitoring/']).trim(), '/registry/pods/monitoring/other-1');
    // Two runs, two journals (named by their start second, so their order is not their names').
    const events = readdirSync(join(dir, 'j')).flatMap((f) => readJournal(join(dir, 'j', f)).events);
    assert.ok(events.some((e) => e.type === 'decision' && e.decision === 'typed-clusters' && e.detail === 'prod' && /etcd http:\/\/127\.0\.0\.1:\d+ \(from ETCDCTL_ENDPOINTS\)/.test(e.targets?.[0]?.where[0] ?? '')));
    assert.ok(events.some((e) => e.type === 'step-finished' && e.stepId === 'remove-from-etcd' && e.state === 'succeeded'));
  });
});
