// `breakglass run --clusters-config FILE`: a break-glass step with `clusters:` in real mode takes
// each cluster's paths from that preflight config (default .breakglass/preflight.yaml), and the
// command line prints a line per cluster as it starts and ends, largest first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { closedPort, removeTempDir, tempDir } from './helpers/servers';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const KUBECONFIG = 'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {}\n';

describe('breakglass run --clusters-config', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = tempDir('bg-cli-clusters-');
    writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
  });
  after(() => dir && removeTempDir(dir));

  const runbook = (name: string, body: string, attrs = '') => {
    const file = join(dir, `${name}.md`);
    writeFileSync(file, `---\nrunbook: true\ntitle: ${name}\n---\n\n\`\`\`breakglass {name=${name}${attrs ? ` ${attrs}` : ''}}\n${body}\n\`\`\`\n`);
    return file;
  };
  const run = (file: string, extra: string[], cwd = dir) => {
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--all', '--mode', 'real', '--context', 'prod', '--kubeconfig', join(dir, 'kubeconfig'), '--yes', '--journal', join(dir, 'journal'), ...extra], {
      cwd,
      env: { PATH: process.env.PATH, HOME: dir, SSH_AUTH_SOCK: join(dir, 'no-agent.sock') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const STOP = 'action: node-exec\nclusters: \'*\'\ncommand: systemctl stop telemetry-agent\nuser: root';

  it('takes the clusters from --clusters-config and prints a line per cluster, largest first', () => {
    const cfg = join(dir, 'elsewhere', 'clusters.yaml');
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    writeFileSync(cfg, 'clusters:\n  - name: small\n    nodes: {inventory: [10.9.0.1]}\n  - name: big\n    nodes: {inventory: [10.9.1.1, 10.9.1.2, 10.9.1.3]}\n');
    const r = run(runbook('stop-dry', STOP, 'dryRun=true'), ['--clusters-config', cfg]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /clusters, largest first: big \(3 nodes\), small \(1 nodes\)/);
    const lines = r.err.split('\n').filter((l) => /^\s+\S \[(big|small)\]/.test(l));
    assert.deepEqual(
      lines.map((l) => l.replace(/:.*/, '').trim()).sort(),
      ['▶ [big] 3 nodes, running', '▶ [small] 1 nodes, running', '○ [big] 3 nodes, dry run', '○ [small] 1 nodes, dry run'].sort(),
    );
    assert.ok(lines.findIndex((l) => l.includes('▶ [big]')) < lines.findIndex((l) => l.includes('▶ [small]')), 'the largest starts first');
    // A dry run is not a success at anything: its line says what would run, in a few words…
    assert.match(r.err, /^ {2}○ \[big\] 3 nodes, dry run: would run on 3 node\(s\), 3 at a time$/m);
    assert.match(r.err, /^ {2}○ \[small\] 1 nodes, dry run: would run on 1 node\(s\), 1 at a time$/m);
    // …and the whole sentence is in the step's output, once per cluster.
    assert.equal(r.out.split('[big] succeeded: dry run: nothing run; would run `systemctl stop telemetry-agent` as root on 3 node(s)').length - 1, 1, r.out);
  });

  it('defaults to .breakglass/preflight.yaml in the current folder; a missing config fails the step and says where it looked', () => {
    const here = join(dir, 'ws');
    mkdirSync(join(here, '.breakglass'), { recursive: true });
    writeFileSync(join(here, '.breakglass', 'preflight.yaml'), 'clusters:\n  - name: from-default\n    nodes: {inventory: [10.9.2.1, 10.9.2.2]}\n');
    const file = runbook('stop-default', STOP, 'dryRun=true');
    const r = run(file, [], here);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.err, /○ \[from-default\] 2 nodes, dry run/);

    const missing = join(dir, 'nope.yaml');
    const m = run(file, ['--clusters-config', missing]);
    assert.equal(m.code, 1);
    assert.match(m.out + m.err, new RegExp(`needs the clusters' config \\(${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): it does not exist`));
  });

  it('a cluster whose etcd refuses connections fails fast, with its reason, on its own line', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const cfg = join(dir, 'etcd.yaml');
    writeFileSync(cfg, `clusters:\n  - name: east\n    etcd: {endpoints: [http://127.0.0.1:${a}]}\n  - name: west\n    etcd: {endpoints: [http://127.0.0.1:${b}]}\n`);
    const t0 = Date.now();
    const r = run(runbook('rm', "action: etcd-delete\nclusters: '*'\nkeys: [/registry/daemonsets/monitoring/telemetry-agent]"), ['--clusters-config', cfg, '--clusters', 'west,east']);
    assert.equal(r.code, 1, r.err + r.out);
    assert.ok(Date.now() - t0 < 20_000, `${Date.now() - t0} ms`);
    assert.match(r.err, new RegExp(`✖ \\[east\\] failed: etcd-delete: .*127\\.0\\.0\\.1:${a}: connection refused`));
    assert.match(r.err, new RegExp(`✖ \\[west\\] failed: etcd-delete: .*127\\.0\\.0\\.1:${b}: connection refused`));
    assert.match(r.err, /✖ rm failed/);
  });
});
