// OpenAPI v2 and v3 of the simulated API server, read by the real kubectl (the oldest and newest
// on the machine, 1.27 and 1.33): `kubectl explain` (v3) and client-side strict validation in
// `kubectl apply --dry-run=client` (v2, which client-go downloads as protobuf).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveCluster, type ServedCluster } from '../../src/cli/sim-serve';
import { encodeV2, openApiV2, openApiV3, openApiV3Paths } from '../../src/sim/server/openapi';
import { RESOURCES } from '../../src/sim/server/resources';
import { FakeCluster } from './helpers/fake-cluster';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = ['1.27', '1.33'].filter((v) => existsSync(join(BIN, `kubectl.${v}`)));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: { app: web }
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

describe('sim server OpenAPI', function () {
  this.timeout(180_000);

  it('every served kind has a definition with its group, version and kind, in v2 and in its group version of v3', () => {
    const v2 = openApiV2().definitions as Record<string, { 'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }> }>;
    const gvks = (defs: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }>): string[] =>
      Object.values(defs).flatMap((d) => ((d['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>).map((g) => `${g.group}/${g.version}/${g.kind}`));
    for (const r of RESOURCES) {
      const key = `${r.group}/${r.version}/${r.kind}`;
      assert.ok(gvks(v2).includes(key), `v2 lacks ${key}`);
      const gv = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
      assert.ok(openApiV3Paths().includes(gv), gv);
      const doc = openApiV3(gv) as { components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }> } };
      assert.ok(gvks(doc.components.schemas).includes(key), `v3 ${gv} lacks ${key}`);
    }
    // The protobuf form holds every definition name.
    const pb = encodeV2(openApiV2());
    for (const name of Object.keys(v2)) assert.ok(pb.includes(Buffer.from(name)), name);
  });

  describe('with the real kubectl', () => {
    let served: ServedCluster;
    let cache: string;
    before(async function () {
      if (!VERSIONS.length) this.skip();
      cache = mkdtempSync(join(tmpdir(), 'breakglass-openapi-'));
      const fake = new FakeCluster({ nodes: 3, podsPerNode: 2, namespaces: 4, services: 3 });
      // A NotReady node: its taints, Unknown conditions and a NodeNotReady Event are served too.
      fake.nodesReady = 2;
      served = await serveCluster(fake);
    });
    after(async () => {
      await served?.close();
      if (cache) rmSync(cache, { recursive: true, force: true });
    });

    function kubectl(v: string, args: string[], stdin?: string): Promise<Run> {
      return new Promise((resolve) => {
        const child = execFile(join(BIN, `kubectl.${v}`), ['--kubeconfig', served.kubeconfig, '--cache-dir', join(cache, v), ...args], { timeout: 60_000, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
        child.stdin?.end(stdin ?? '');
      });
    }

    for (const v of VERSIONS) {
      describe(`kubectl ${v}`, () => {
        it('explains pods, deployment.spec.replicas and leases', async () => {
          const pods = await kubectl(v, ['explain', 'pods']);
          assert.equal(pods.code, 0, pods.stderr);
          assert.match(pods.stdout, /KIND:\s+Pod/);
          assert.match(pods.stdout, /Pod is a collection of containers/);
          assert.match(pods.stdout, /spec\s+<PodSpec>/);
          const replicas = await kubectl(v, ['explain', 'deployment.spec.replicas']);
          assert.equal(replicas.code, 0, replicas.stderr);
          assert.match(replicas.stdout, /FIELD:\s+replicas\s+<integer>/);
          assert.match(replicas.stdout, /Number of desired pods/);
          const leases = await kubectl(v, ['explain', 'leases']);
          assert.equal(leases.code, 0, leases.stderr);
          assert.match(leases.stdout, /GROUP:\s+coordination\.k8s\.io/);
          assert.match(leases.stdout, /Lease defines a lease concept/);
          // The older explain, from OpenAPI v2.
          const old = await kubectl(v, ['explain', 'deployment.spec.replicas', '--output', 'plaintext-openapiv2']);
          assert.equal(old.code, 0, old.stderr);
          assert.match(old.stdout, /replicas\s+<integer>/);
          assert.match(old.stdout, /Number of desired pods/);
        });

        it('serves /openapi/v2 as JSON to a JSON client and /openapi/v3 as an index with hashes', async () => {
          const v2 = await kubectl(v, ['get', '--raw', '/openapi/v2']);
          assert.equal(v2.code, 0, v2.stderr);
          assert.equal(JSON.parse(v2.stdout).swagger, '2.0');
          const index = await kubectl(v, ['get', '--raw', '/openapi/v3']);
          const paths = JSON.parse(index.stdout).paths as Record<string, { serverRelativeURL: string }>;
          for (const gv of ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/flowcontrol.apiserver.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/events.k8s.io/v1']) {
            assert.match(paths[gv]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/${gv.replace(/\./g, '\\.')}\\?hash=[0-9A-F]+$`), gv);
            const doc = await kubectl(v, ['get', '--raw', paths[gv].serverRelativeURL]);
            assert.equal(JSON.parse(doc.stdout).openapi, '3.0.0');
          }
        });

        it('strict client-side validation accepts a valid Deployment and rejects an unknown field', async () => {
          const file = join(cache, `deploy-${v}.yaml`);
          writeFileSync(file, DEPLOYMENT);
          const ok = await kubectl(v, ['apply', '--dry-run=client', '--validate=strict', '-f', file]);
          assert.equal(ok.code, 0, ok.stderr);
          assert.match(ok.stdout, /deployment\.apps\/web (created|configured) \(dry run\)/);
          writeFileSync(file, DEPLOYMENT.replace('  replicas: 2\n', '  replicas: 2\n  replicaz: 3\n'));
          const bad = await kubectl(v, ['apply', '--dry-run=client', '--validate=strict', '-f', file]);
          assert.notEqual(bad.code, 0);
          assert.match(bad.stderr, /unknown field "replicaz" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
          assert.doesNotMatch(bad.stderr, /failed to download openapi/);
        });

        it("the server's own objects of every kind pass strict validation", async () => {
          // Every kind that has objects to list (the reviews store nothing).
          const kinds = RESOURCES.filter((r) => !r.verbs || r.verbs.includes('list')).map((r) => (r.group ? `${r.name}.${r.version}.${r.group}` : r.name));
          for (const k of kinds) {
            // Every object of the kind, as a List kubectl splits into its items.
            const got = await kubectl(v, ['get', k, '-A', '-o', 'yaml']);
            assert.equal(got.code, 0, got.stderr);
            assert.match(got.stdout, /^- \w+:/m, `${k} has objects`);
            const r = await kubectl(v, ['apply', '--dry-run=client', '--validate=strict', '-f', '-'], got.stdout);
            assert.equal(r.code, 0, `${k}: ${r.stderr}`);
            assert.match(r.stdout, /\(dry run\)/);
            // The items were validated: the same list with an unknown field in an item is refused.
            const bad = await kubectl(v, ['apply', '--dry-run=client', '--validate=strict', '-f', '-'], got.stdout.replace(/\n {2}metadata:\n/, '\n  bogusField: 1\n  metadata:\n'));
            assert.notEqual(bad.code, 0, k);
            assert.match(bad.stderr, /unknown field "bogusField"/, k);
          }
        });
      });
    }
  });
});
