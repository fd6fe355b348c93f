// Details an SRE would notice on `sim serve`'s saturated prod-east with the real kubectl: image
// IDs are 64-hex digests, and a DaemonSet's READY counts only its pods on Ready nodes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlBinary } from './helpers/kubectl';
import { CLI, kubectl as run, serve } from './helpers/sim-serve';
import { FakeCluster } from './helpers/fake-cluster';
import { serveCluster } from '../../src/cli/sim-serve';
import { execFile } from 'node:child_process';

const KUBECTL = kubectlBinary();

describe('sim serve: image IDs and DaemonSet readiness', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    if (!KUBECTL) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-tells-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('staging: image IDs are sha256 digests (64 lowercase hex)', async () => {
    const s = await serve('staging', 1, dir);
    try {
      const pods = await run(KUBECTL!, s, dir, ['--context', 'sim', 'get', 'pods', '-A', '-o', 'jsonpath={.items[*].status.containerStatuses[*].imageID}']);
      assert.equal(pods.code, 0, pods.stderr);
      const ids = pods.stdout.trim().split(/\s+/).filter(Boolean);
      assert.ok(ids.length > 0);
      for (const id of ids) assert.match(id, /@sha256:[0-9a-f]{64}$/);
      assert.doesNotMatch(pods.stdout, /0{20}/, 'a digest, not a padded short hash');
    } finally {
      await s.stop();
    }
  });

  it('NotReady nodes: kube-proxy READY counts only its pods on Ready nodes (kubectl get ds)', async () => {
    const fake = new FakeCluster({ nodes: 6, podsPerNode: 2, namespaces: 3, services: 2 });
    fake.nodesReady = 4;
    const served = await serveCluster(fake);
    try {
      const k = async (args: string[]) => {
        const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
          execFile(KUBECTL!, ['--kubeconfig', served.kubeconfig, '--cache-dir', dir, '--context', 'sim', ...args], { env: { ...process.env, HOME: dir, KUBECONFIG: '' } }, (e, stdout, stderr) => res({ code: e ? 1 : 0, stdout: String(stdout), stderr: String(stderr) })),
        );
        assert.equal(r.code, 0, r.stderr);
        return r.stdout;
      };
      const nodes = await k(['get', 'nodes', '--no-headers']);
      assert.equal(nodes.split('\n').filter((l) => /\bNotReady\b/.test(l)).length, 2);
      const ds = await k(['get', 'ds', '-n', 'kube-system', 'kube-proxy', '--no-headers']);
      // NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE …
      assert.match(ds, /^kube-proxy\s+6\s+6\s+4\s+6\s+4\s/);
    } finally {
      await served.close();
    }
  });
});
