// `kubectl auth can-i` and `kubectl auth whoami` (1.27, 1.31 and 1.33) against `sim serve`:
// SelfSubjectAccessReview answers what each identity's role allows, SelfSubjectReview who it is.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorize } from '../../src/sim/server/resources/selfsubjectaccessreviews';
import { CLI, kubectl, serve, type Served } from './helpers/sim-serve';

const SDK = '/usr/lib/google-cloud-sdk/bin';
const BINS = ['1.27', '1.31', '1.33'].map((v) => join(SDK, `kubectl.${v}`)).filter((p) => existsSync(p));

describe('sim serve: kubectl auth can-i and whoami', function () {
  this.timeout(120_000);
  let dir: string;
  let s: Served;
  before(async function () {
    if (!BINS.length) this.skip();
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-sim-auth-'));
    s = await serve('staging', 1, dir);
  });
  after(async () => {
    if (s) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the role: the ordinary user reads everything and changes workloads; system:masters does anything', () => {
    const user = { name: 'sim-user', groups: ['system:authenticated'] };
    const ra = (verb: string, resource: string, group = '', subresource = '') => ({ resourceAttributes: { verb, resource, group, subresource } });
    assert.equal(authorize(user, ra('list', 'pods')).allowed, true);
    assert.equal(authorize(user, ra('delete', 'daemonsets', 'apps')).allowed, true);
    assert.equal(authorize(user, ra('patch', 'deployments', 'apps', 'scale')).allowed, true);
    assert.equal(authorize(user, ra('delete', 'nodes')).allowed, false);
    assert.equal(authorize(user, ra('update', 'flowschemas', 'flowcontrol.apiserver.k8s.io')).allowed, false);
    assert.equal(authorize(user, ra('create', 'pods', '', 'exec')).allowed, false);
    assert.equal(authorize({ name: 'breakglass-admin', groups: ['system:masters'] }, ra('delete', 'nodes')).allowed, true);
  });

  for (const bin of BINS) {
    const v = bin.slice(-4);
    it(`kubectl ${v}: can-i answers per identity (exit code and yes/no)`, async () => {
      const yes = await kubectl(bin, s, dir, ['--context', 'sim', 'auth', 'can-i', 'list', 'pods', '-A']);
      assert.equal(yes.code, 0, yes.stderr);
      assert.match(yes.stdout, /^yes/);
      const del = await kubectl(bin, s, dir, ['--context', 'sim', 'auth', 'can-i', 'delete', 'daemonsets', '-n', 'monitoring']);
      assert.equal(del.code, 0, del.stderr);
      const no = await kubectl(bin, s, dir, ['--context', 'sim', 'auth', 'can-i', 'delete', 'nodes']);
      assert.equal(no.code, 1, no.stderr);
      assert.match(no.stdout, /^no/);
      const bg = await kubectl(bin, s, dir, ['--context', 'sim-breakglass', 'auth', 'can-i', 'delete', 'nodes']);
      assert.equal(bg.code, 0, bg.stderr);
      assert.match(bg.stdout, /^yes/);
    });

    it(`kubectl ${v}: whoami names the identity and its groups`, async () => {
      const me = await kubectl(bin, s, dir, ['--context', 'sim', 'auth', 'whoami', '-o', 'json']);
      assert.equal(me.code, 0, me.stderr);
      const r = JSON.parse(me.stdout);
      assert.equal(r.kind, 'SelfSubjectReview');
      assert.equal(r.status.userInfo.username, 'sim-user');
      const bg = await kubectl(bin, s, dir, ['--context', 'sim-breakglass', 'auth', 'whoami']);
      assert.equal(bg.code, 0, bg.stderr);
      assert.match(bg.stdout, /breakglass-admin/);
      assert.match(bg.stdout, /system:masters/);
    });
  }
});
