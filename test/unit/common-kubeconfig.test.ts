// The one kubeconfig writer, read back by the YAML parser and by real kubectl: names and tokens that
// would need quoting by hand survive, the simulated mark is there when asked for and only then.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isSimulatedDoc, renderKubeconfig, type KubeconfigSpec } from '../../src/common/kubeconfig';
import { kubectlBinary } from './helpers/kubectl';

const spec = (simulated: boolean): KubeconfigSpec => ({
  comments: ['made by a test: reaches nothing'],
  clusters: [{ name: 'prod: east #1', server: 'https://127.0.0.1:1', caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' }],
  contexts: [
    { name: 'prod-east', cluster: 'prod: east #1', user: 'u "quoted"', namespace: 'default' },
    { name: 'prod-east-breakglass', cluster: 'prod: east #1', user: 'bg' },
  ],
  users: [
    { name: 'u "quoted"', token: 'tok: en # not a comment' },
    { name: 'bg', token: 'b'.repeat(40) },
  ],
  currentContext: 'prod-east',
  simulated,
});

describe('common/kubeconfig: one writer for every kubeconfig', () => {
  it('round-trips names and tokens that need quoting, with the CA base64-encoded', () => {
    const text = renderKubeconfig(spec(true));
    assert.match(text, /^# made by a test: reaches nothing\n/);
    const doc = parse(text);
    assert.equal(doc.clusters[0].name, 'prod: east #1');
    assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), spec(true).clusters[0].caPem);
    assert.equal(doc.users[0].user.token, 'tok: en # not a comment');
    assert.equal(doc.contexts[0].context.user, 'u "quoted"');
    assert.equal(doc.contexts[1].context.namespace, undefined);
    assert.equal(doc['current-context'], 'prod-east');
    assert.ok(isSimulatedDoc(doc));
    assert.ok(!isSimulatedDoc(parse(renderKubeconfig(spec(false)))));
    assert.ok(!isSimulatedDoc(null));
  });

  it('real kubectl reads it: contexts, the current one, the server', function () {
    const kubectl = kubectlBinary();
    if (!kubectl) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'bg-kc-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(file, renderKubeconfig(spec(true)), { mode: 0o600 });
      const names = execFileSync(kubectl!, ['--kubeconfig', file, 'config', 'get-contexts', '-o', 'name'], { encoding: 'utf8' }).trim().split('\n').sort();
      assert.deepEqual(names, ['prod-east', 'prod-east-breakglass']);
      assert.equal(execFileSync(kubectl!, ['--kubeconfig', file, 'config', 'current-context'], { encoding: 'utf8' }).trim(), 'prod-east');
      const server = execFileSync(kubectl!, ['--kubeconfig', file, 'config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}'], { encoding: 'utf8' });
      assert.equal(server, 'https://127.0.0.1:1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
