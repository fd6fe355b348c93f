// A break-glass step says which clusters it acts on before it acts, and the confirmation must name
// every one: `--yes --context staging` never confirms an etcd delete on prod-east and prod-west.
// Two real etcd servers stand for two configured clusters; the journal keeps the names and the
// endpoints the person confirmed (or declined).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DecisionEvent } from '../../src/runbook/events';
import { readJournal } from '../../src/runbook/journal';
import { etcdctl, removeTempDir, startEtcd, tempDir, type EtcdServer } from './helpers/servers';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const KUBECONFIG = 'apiVersion: v1\nkind: Config\ncurrent-context: staging\ncontexts:\n- name: staging\n  context: {cluster: c, user: u}\n- name: prod-east\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\n';
const KEY = '/registry/daemonsets/monitoring/telemetry-agent';

describe('break-glass confirmations name the clusters acted on (two real etcd servers)', function () {
  this.timeout(90_000);
  let east: EtcdServer;
  let west: EtcdServer;
  let dir: string;
  let cfg: string;
  let journals = 0;

  before(async function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    [east, west] = await Promise.all([startEtcd(), startEtcd()]);
    dir = tempDir('bg-confirm-');
    writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
    cfg = join(dir, 'clusters.yaml');
    writeFileSync(cfg, `clusters:\n  - name: prod-east\n    etcd: {endpoints: [${east.endpoint}]}\n  - name: prod-west\n    etcd: {endpoints: [${west.endpoint}]}\n`);
  });
  after(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
    if (dir) removeTempDir(dir);
  });

  const runbook = (name: string, body: string): string => {
    const file = join(dir, `${name}.md`);
    writeFileSync(file, `---\nrunbook: true\ntitle: ${name}\n---\n\n\`\`\`breakglass {name=${name}}\n${body}\n\`\`\`\n`);
    return file;
  };
  const run = (file: string, extra: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; journal: string }> => {
    const jdir = join(dir, `j${++journals}`);
    const args = [CLI, 'run', file, '--all', '--mode', 'real', '--kubeconfig', join(dir, 'kubeconfig'), '--journal', jdir, '--clusters-config', cfg, ...extra];
    return new Promise((res) =>
      execFile(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env }, timeout: 30_000 }, (e, out, err) =>
        res({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: String(out) + String(err), journal: existsSync(jdir) ? join(jdir, readdirSync(jdir)[0]!) : '' }),
      ),
    );
  };
  const decisions = (journal: string): DecisionEvent[] => readJournal(journal).events.filter((e): e is DecisionEvent => e.type === 'decision');
  const present = (s: EtcdServer): boolean => etcdctl(s, ['get', '--keys-only', KEY]).trim() === KEY;

  it('refuses --context staging on a step across prod-east and prod-west, naming both and their endpoints', async () => {
    for (const s of [east, west]) etcdctl(s, ['put', KEY, 'ds']);
    const file = runbook('rm', `action: etcd-delete\nclusters: '*'\nkeys: [${KEY}]`);
    const r = await run(file, ['--yes', '--context', 'staging']);
    assert.equal(r.code, 1, r.out);
    assert.ok(present(east) && present(west), 'nothing may be deleted');
    assert.ok(r.out.includes(`prod-east: etcd ${east.endpoint} (from settings)`), r.out);
    assert.ok(r.out.includes(`prod-west: etcd ${west.endpoint} (from settings)`), r.out);
    assert.match(r.out, /--context staging does not name each of them: run with --yes --clusters prod-east,prod-west/);
    const [d] = decisions(r.journal);
    assert.equal(d?.decision, 'declined');
    assert.deepEqual(d?.targets?.map((t) => t.name).sort(), ['prod-east', 'prod-west']);
    assert.ok(!decisions(r.journal).some((x) => x.decision === 'typed-context' || x.decision === 'typed-clusters'), 'no confirmation is journaled');

    // A list that leaves one out does not confirm either; --context prod-east names only one of two.
    for (const extra of [['--context', 'staging', '--clusters', 'prod-east'], ['--context', 'prod-east'], ['--context', 'staging', '--clusters', 'prod-east,prod-west,staging']]) {
      const partial = await run(file, ['--yes', ...extra]);
      assert.equal(partial.code, 1, `${extra.join(' ')}: ${partial.out}`);
      assert.ok(present(east) && present(west), `${extra.join(' ')} deleted something`);
    }
  });

  it('runs on both when --clusters names each of them, and journals the names with their endpoints', async () => {
    for (const s of [east, west]) etcdctl(s, ['put', KEY, 'ds']);
    const file = runbook('rm2', `action: etcd-delete\nclusters: '*'\nkeys: [${KEY}]`);
    const r = await run(file, ['--yes', '--context', 'staging', '--clusters', 'prod-west, prod-east']);
    assert.equal(r.code, 0, r.out);
    assert.ok(!present(east) && !present(west), 'the key is gone from both');
    const d = decisions(r.journal).find((x) => x.decision === 'typed-clusters');
    assert.ok(d, JSON.stringify(decisions(r.journal)));
    assert.equal(d.stepId, 'rm2');
    assert.deepEqual(
      d.targets?.map((t) => [t.name, t.where]).sort(),
      [
        ['prod-east', [`etcd ${east.endpoint} (from settings)`]],
        ['prod-west', [`etcd ${west.endpoint} (from settings)`]],
      ],
    );
  });

  it('a step naming one cluster is confirmed by --context with that name only', async () => {
    for (const s of [east, west]) etcdctl(s, ['put', KEY, 'ds']);
    const file = runbook('rm-east', `action: etcd-delete\nclusters: [prod-east]\nkeys: [${KEY}]`);
    const wrong = await run(file, ['--yes', '--context', 'staging']);
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.out, /run with --yes --context prod-east/);
    assert.ok(present(east));
    const ok = await run(file, ['--yes', '--context', 'prod-east']);
    assert.equal(ok.code, 0, ok.out);
    assert.ok(!present(east) && present(west), 'only prod-east changed');
  });

  it('a step without clusters acts on the etcd of the environment: the confirmation names the context and shows those endpoints', async () => {
    etcdctl(west, ['put', KEY, 'ds']);
    const file = runbook('rm-env', `action: etcd-delete\nkeys: [${KEY}]`);
    const none = await run(file, ['--context', 'staging'], west.env);
    assert.equal(none.code, 1, none.out);
    assert.ok(none.out.includes(`staging: etcd ${west.endpoint} (from ETCDCTL_ENDPOINTS)`), none.out);
    assert.ok(present(west));
    const ok = await run(file, ['--yes', '--context', 'staging'], west.env);
    assert.equal(ok.code, 0, ok.out);
    assert.ok(!present(west));
    const d = decisions(ok.journal).find((x) => x.decision === 'typed-clusters');
    assert.deepEqual(d?.targets, [{ name: 'staging', where: [`etcd ${west.endpoint} (from ETCDCTL_ENDPOINTS)`] }]);
  });
});
