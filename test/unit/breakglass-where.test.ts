// What each break-glass action says it acts on (BreakglassAction.where): the words a person reads
// in the confirmation and the journal keeps, worked out without connecting to anything.
import assert from 'node:assert/strict';
import { describeWhere, type ActionContext } from '../../src/breakglass';

function ctx(o: Partial<ActionContext> = {}): ActionContext {
  return { mode: 'real', runbookDir: __dirname, env: {}, signal: new AbortController().signal, dryRun: false, log: () => undefined, ...o };
}

describe('break-glass actions: what they act on', () => {
  it('etcd-delete: the endpoints and where they come from (settings, ETCDCTL_ENDPOINTS, the default)', () => {
    const body = { action: 'etcd-delete', keys: ['/registry/daemonsets/monitoring/telemetry-agent'] };
    assert.deepEqual(describeWhere(body, ctx({ settings: { etcd: { endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'] } } })), ['etcd https://10.0.0.1:2379, https://10.0.0.2:2379 (from settings)']);
    assert.deepEqual(describeWhere(body, ctx({ env: { ETCDCTL_ENDPOINTS: '10.0.0.9:2379' } })), ['etcd http://10.0.0.9:2379 (from ETCDCTL_ENDPOINTS)']);
    assert.deepEqual(describeWhere(body, ctx()), ['etcd http://127.0.0.1:2379 (from the default endpoint)']);
    assert.match(describeWhere(body, ctx({ env: { ETCDCTL_ENDPOINTS: 'ftp://x' } }))[0]!, /^etcd: .*not http\(s\)/);
  });

  it('node-exec, network-block and scale-apiserver: the inventory and the SSH user', () => {
    assert.deepEqual(describeWhere({ action: 'node-exec', nodes: { file: 'nodes.txt' }, command: 'systemctl stop telemetry-agent', user: 'root' }, ctx()), ['nodes: file nodes.txt, over SSH as root']);
    assert.deepEqual(describeWhere({ action: 'node-exec', nodes: { range: '10.0.0.1-10.0.0.50' }, command: 'true' }, ctx({ settings: { ssh: { user: 'ops' } } })), ['nodes: range 10.0.0.1-10.0.0.50, over SSH as ops']);
    assert.deepEqual(describeWhere({ action: 'network-block', hosts: ['10.0.1.1', '10.0.1.2'], sources: ['10.2.0.0/16'] }, ctx()), ['control-plane hosts: 2 listed host(s), over SSH']);
    assert.deepEqual(describeWhere({ action: 'scale-apiserver', hosts: { file: 'cp.txt' }, command: 'mv /etc/kubernetes/standby.yaml /etc/kubernetes/manifests/' }, ctx()), ['control-plane hosts: file cp.txt, over SSH as the default user']);
  });

  it('exempt-request: the context, its kubeconfig and the request', () => {
    const w = describeWhere({ action: 'exempt-request', context: 'prod-east-breakglass', verb: 'delete', resource: 'daemonsets', namespace: 'monitoring', name: 'telemetry-agent' }, ctx({ env: { KUBECONFIG: '/etc/bg/kubeconfig' } }));
    assert.deepEqual(w, ['context prod-east-breakglass in /etc/bg/kubeconfig: DELETE /apis/apps/v1/namespaces/monitoring/daemonsets/telemetry-agent']);
  });

  it('an invalid body says so instead of naming a target', () => {
    assert.match(describeWhere({ action: 'nope' }, ctx())[0]!, /^an invalid break-glass step: unknown action 'nope'/);
  });
});
