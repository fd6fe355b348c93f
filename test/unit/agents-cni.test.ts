// Network plugins, service proxies and DNS on their vendors' manifests (test/fixtures/agents,
// shared/corpus/manifests): the calls each recogniser reads from the configuration, the verdict at
// 5,000 nodes, and the settings that change it (edited into the fixture text here).
import assert from 'node:assert/strict';
import type { WorkloadReport } from '../../src/analysis/analyze';
import { recogniseAgent } from '../../src/analysis/agents';
import { fixture, flagged, replaceOnce, report, run, shared, usageOf } from './helpers/agents';

/** verb resource scope[ ×clients], sorted and deduplicated. */
const calls = (w: WorkloadReport) => [...new Set(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}${c.clients !== undefined ? ` ×${c.clients}` : ''}`))].sort();
const resources = (w: WorkloadReport) => new Set(w.calls.map((c) => c.resource));
function includesAll(w: WorkloadReport, want: string[]) {
  const got = calls(w);
  for (const c of want) assert.ok(got.includes(c), `${c} in ${got.join(', ')}`);
}
/** Adds env vars to the container whose `name:` line is given (the first `env:` after it). */
function addEnv(text: string, containerLine: RegExp, vars: Record<string, string>, indent: string): string {
  const m = containerLine.exec(text);
  assert.ok(m, `no container ${containerLine}`);
  const envAt = text.indexOf('env:\n', m.index);
  assert.ok(envAt > 0, 'no env: after the container');
  const insert = Object.entries(vars).map(([k, v]) => `${indent}- name: ${k}\n${indent}  value: "${v}"\n`).join('');
  return text.slice(0, envAt + 5) + insert + text.slice(envAt + 5);
}

describe('network agents: Calico', () => {
  const noTypha = fixture('calico-no-typha.yaml');
  const typha = shared('calico-typha.yaml');
  const felixEnv = (t: string, vars: Record<string, string>) => addEnv(t, /- name: calico-node\n\s+image: docker.io\/calico\/node/, vars, '            ');

  it('without Typha every calico-node watches the datastore itself (Felix and confd) and is flagged; kube-controllers is one client', () => {
    const r = run(noTypha);
    const node = report(r, 'DaemonSet/calico-node');
    assert.deepEqual(node.agents, ['calico-node'], 'the -init container of the same image is not the agent');
    includesAll(node, ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services', 'ipamblocks', 'globalnetworkpolicies', 'ippools', 'bgpconfigurations', 'bgppeers', 'blockaffinities'].map((x) => `watch ${x} cluster`));
    assert.ok(node.calls.every((c) => c.resourceVersion === '0'), 'watchersyncer lists from revision "0"');
    assert.equal(node.calls.filter((c) => c.resource === 'nodes').length, 2, "Felix's and confd's syncers each watch every node");
    const rules = flagged(r, 'DaemonSet/calico-node');
    assert.ok(rules.includes('per-node-cluster-list') && rules.includes('fanout-proxy'), rules.join(', '));
    const kc = report(r, 'Deployment/calico-kube-controllers');
    assert.deepEqual(calls(kc), ['watch nodes cluster', 'watch pods cluster']);
    assert.equal(kc.clients, 1);
    assert.deepEqual(flagged(r, 'Deployment/calico-kube-controllers'), []);
  });

  it('FELIX_TYPHAK8SSERVICENAME, FELIX_TYPHAADDR or CONFD_TYPHAADDR send calico-node through Typha: no calls, not flagged', () => {
    const settings: Record<string, string>[] = [{ FELIX_TYPHAK8SSERVICENAME: 'calico-typha' }, { FELIX_TYPHAADDR: 'calico-typha.kube-system:5473' }, { CONFD_TYPHAADDR: '10.0.0.1:5473' }];
    for (const vars of settings) {
      const r = run(felixEnv(noTypha, vars));
      assert.deepEqual(report(r, 'DaemonSet/calico-node').calls, [], JSON.stringify(vars));
      assert.deepEqual(flagged(r, 'DaemonSet/calico-node').filter((x) => x !== 'no-own-flowschema'), [], JSON.stringify(vars));
    }
    // "none" (calico.yaml's typha_service_name) is no Typha.
    assert.ok(report(run(felixEnv(noTypha, { FELIX_TYPHAK8SSERVICENAME: 'none' })), 'DaemonSet/calico-node').calls.length > 10);
  });

  it('the shared calico-typha.yaml: nothing flagged; Typha watches once per replica and is undersized for 5,000 nodes (info)', () => {
    const r = run(typha);
    assert.deepEqual(report(r, 'DaemonSet/calico-node').calls, []);
    for (const w of ['DaemonSet/calico-node', 'Deployment/calico-typha', 'Deployment/calico-kube-controllers']) assert.deepEqual(flagged(r, w), [], w);
    const t = report(r, 'Deployment/calico-typha');
    assert.deepEqual(t.agents, ['calico-typha']);
    includesAll(t, ['watch pods cluster', 'watch nodes cluster', 'watch ipamblocks cluster', 'watch blockaffinities cluster', 'watch bgppeers cluster']);
    assert.ok(r.findings.some((f) => f.rule === 'fanout-undersized' && f.severity === 'info' && /25–50/.test(f.message)));
  });

  it('USE_POD_CIDR (host-local IPAM) drops the IPAM watches; a non-BIRD backend drops confd; etcdv3 is not the API', () => {
    const podCidr = report(run(felixEnv(noTypha, { USE_POD_CIDR: 'true' })), 'DaemonSet/calico-node');
    assert.ok(!resources(podCidr).has('ipamblocks') && !resources(podCidr).has('blockaffinities'));
    const vxlan = report(run(replaceOnce(noTypha, 'calico_backend: "bird"', 'calico_backend: "vxlan"')), 'DaemonSet/calico-node');
    assert.ok(!resources(vxlan).has('bgppeers') && !resources(vxlan).has('blockaffinities'));
    assert.equal(vxlan.calls.filter((c) => c.resource === 'nodes').length, 1, 'Felix only');
    const etcd = run(replaceOnce(noTypha, /(- name: DATASTORE_TYPE\n\s+value: )"kubernetes"/, '$1"etcdv3"'));
    assert.deepEqual(report(etcd, 'DaemonSet/calico-node').calls, []);
  });

  it('kube-controllers: ENABLED_CONTROLLERS decides the kinds; an unknown controller is unmodelled', () => {
    const t = replaceOnce(noTypha, /(- name: ENABLED_CONTROLLERS\n\s+value: )node/, '$1node,policy,serviceaccount,flannelmigration');
    const kc = report(run(t), 'Deployment/calico-kube-controllers');
    assert.deepEqual(calls(kc), ['watch networkpolicies cluster', 'watch nodes cluster', 'watch pods cluster', 'watch serviceaccounts cluster']);
    assert.deepEqual(usageOf(t, 'calico-kube-controllers').unmodelled, ['calico-kube-controllers: controller flannelmigration']);
  });
});

describe('network agents: Cilium', () => {
  const text = fixture('cilium.yaml');
  const setKey = (t: string, key: string, value: string) => replaceOnce(t, 'identity-allocation-mode: crd\n', `identity-allocation-mode: crd\n  ${key}: "${value}"\n`);

  it('CRD mode: every agent watches all CiliumEndpoints, identities and CiliumNodes, its own pods only; flagged with the kvstore/CES advice', () => {
    const r = run(text);
    const a = report(r, 'DaemonSet/cilium');
    assert.deepEqual(a.agents, ['Cilium agent'], 'the clean-cilium-state init container is not the agent');
    assert.deepEqual(calls(a), [
      'watch ciliumclusterwidenetworkpolicies cluster',
      'watch ciliumendpoints cluster',
      'watch ciliumidentities cluster',
      'watch ciliumnetworkpolicies cluster',
      'watch ciliumnodes cluster',
      'watch endpointslices cluster',
      'watch namespaces cluster',
      'watch networkpolicies cluster',
      'watch pods node',
      'watch services cluster',
    ]);
    const rules = flagged(r, 'DaemonSet/cilium');
    assert.ok(rules.includes('fanout-proxy') && rules.includes('per-node-cluster-list'), rules.join(', '));
    assert.ok(r.findings.some((f) => f.rule === 'fanout-proxy' && /enable-cilium-endpoint-slice/.test(f.message)));
  });

  it('the operator watches from the elected instance only (one client of two replicas): not flagged', () => {
    const r = run(text);
    const op = report(r, 'Deployment/cilium-operator');
    assert.equal(op.clients, 2);
    assert.ok(op.calls.length > 0 && op.calls.every((c) => c.clients === 1), 'leader only');
    includesAll(op, ['watch pods cluster ×1', 'watch ciliumendpoints cluster ×1', 'watch ciliumnodes cluster ×1']);
    assert.deepEqual(flagged(r, 'Deployment/cilium-operator'), []);
  });

  it('enable-cilium-endpoint-slice: CiliumEndpointSlices instead of CiliumEndpoints, no fan-out advice', () => {
    const r = run(setKey(text, 'enable-cilium-endpoint-slice', 'true'));
    const a = report(r, 'DaemonSet/cilium');
    assert.ok(resources(a).has('ciliumendpointslices') && !resources(a).has('ciliumendpoints'));
    assert.ok(!flagged(r, 'DaemonSet/cilium').includes('fanout-proxy'));
  });

  it('kvstore (etcd) with kvstore identities: no CiliumEndpoint, identity or CiliumNode watches', () => {
    let t = replaceOnce(text, 'identity-allocation-mode: crd\n', 'identity-allocation-mode: kvstore\n');
    t = replaceOnce(t, 'identity-allocation-mode: kvstore\n', 'identity-allocation-mode: kvstore\n  kvstore: etcd\n  kvstore-opt: \'{"etcd.config": "/var/lib/etcd-config/etcd.config"}\'\n');
    const r = run(t);
    const a = report(r, 'DaemonSet/cilium');
    for (const x of ['ciliumendpoints', 'ciliumidentities', 'ciliumnodes']) assert.ok(!resources(a).has(x), x);
    assert.ok(!flagged(r, 'DaemonSet/cilium').includes('fanout-proxy'));
    // What is left is its kube-proxy replacement's Services and EndpointSlices: inherent, as kube-proxy's, not flagged.
    assert.deepEqual(flagged(r, 'DaemonSet/cilium').filter((x) => x === 'per-node-cluster-list'), []);
    const f = r.findings.find((x) => x.rule === 'per-node-cluster-list' && x.workload.name === 'cilium');
    assert.ok(!f || (f.severity === 'info' && /inherent/.test(f.message)), f?.message);
  });

  it('before 1.8 (and with disable-endpoint-crd) every agent watches all pods', () => {
    const old = report(run(text.replace(/docker\.io\/cilium\/cilium:latest/g, 'docker.io/cilium/cilium:v1.7.4')), 'DaemonSet/cilium');
    assert.ok(calls(old).includes('watch pods cluster'));
    const v110 = report(run(text.replace(/docker\.io\/cilium\/cilium:latest/g, 'docker.io/cilium/cilium:v1.10.0')), 'DaemonSet/cilium');
    assert.ok(calls(v110).includes('watch pods node'));
    const noCep = report(run(setKey(text, 'disable-endpoint-crd', 'true')), 'DaemonSet/cilium');
    assert.ok(calls(noCep).includes('watch pods cluster') && !resources(noCep).has('ciliumendpoints'));
  });

  it('--config-dir naming a ConfigMap that is not in the files: usage unknown', () => {
    const t = replaceOnce(text, /\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-config[\s\S]*?\n---/, '\n---');
    const u = usageOf(t, 'cilium');
    assert.deepEqual(u.calls, []);
    assert.equal(u.agentUnknown, true);
    assert.equal(u.source, 'rbac', 'its RBAC reach is all that is known');
  });
});

describe('network agents: Weave Net', () => {
  const text = fixture('weave-net.yaml');

  it('the kind: List document is read; weave and weave-npc watch the whole cluster and are flagged', () => {
    const r = run(text);
    const w = report(r, 'DaemonSet/weave-net');
    assert.deepEqual(w.agents, ['Weave Net', 'Weave Net']);
    assert.deepEqual(calls(w), [
      'get configmaps namespace',
      'list nodes cluster',
      'patch nodes node',
      'update configmaps namespace',
      'watch namespaces cluster',
      'watch networkpolicies cluster',
      'watch nodes cluster',
      'watch pods cluster',
    ]);
    assert.equal(w.calls.find((c) => c.verb === 'list')?.resourceVersion, undefined, 'getKubePeers lists nodes from etcd');
    assert.ok(flagged(r, 'DaemonSet/weave-net').includes('per-node-cluster-list'));
  });

  it('KUBE_PEERS skips the start-up LIST of nodes; the fork images are recognised', () => {
    const t = replaceOnce(text, '- name: INIT_CONTAINER\n                  value: "true"', '- name: INIT_CONTAINER\n                  value: "true"\n                - name: KUBE_PEERS\n                  value: "10.0.0.1 10.0.0.2"');
    assert.ok(!calls(report(run(t), 'DaemonSet/weave-net')).includes('list nodes cluster'));
    assert.equal(recogniseAgent('rajchaudhuri/weave-npc:2.8.2')?.id, 'weave-net');
    assert.equal(recogniseAgent('docker.io/weaveworks/weave-kube:2.8.1')?.id, 'weave-net');
  });
});

describe('network agents: AWS VPC CNI', () => {
  const text = fixture('aws-vpc-cni.yaml');
  const tag = (v: string) => text.replace(/amazon-k8s-cni:v1\.12\.1-rc3/g, `amazon-k8s-cni:${v}`);
  const env = (t: string, name: string, value: string) => replaceOnce(t, new RegExp(`(- name: ${name}\\n\\s+value: )"[^"]*"`), `$1"${value}"`);

  it('v1.12.1: its own Node read through an unfiltered cache watches every Node; flagged; no ENIConfig watch without custom networking', () => {
    const r = run(text);
    const w = report(r, 'DaemonSet/aws-node');
    assert.deepEqual(w.agents, ['AWS VPC CNI (aws-node)'], 'not the -init image');
    assert.deepEqual(calls(w), ['update nodes node', 'watch nodes cluster']);
    assert.ok(flagged(r, 'DaemonSet/aws-node').includes('per-node-cluster-list'));
    assert.equal(recogniseAgent('602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.12.1'), undefined);
  });

  it('the image tag decides: ≤1.5 all pods, 1.6–1.8 its pods, 1.13.0–1.13.2 all pods, 1.18.6+ its own Node (not flagged)', () => {
    assert.deepEqual(calls(report(run(tag('v1.5.5')), 'DaemonSet/aws-node')), ['watch pods cluster']);
    assert.deepEqual(calls(report(run(tag('v1.7.10')), 'DaemonSet/aws-node')), ['watch pods node']);
    assert.ok(calls(report(run(tag('v1.13.2')), 'DaemonSet/aws-node')).includes('watch pods cluster'));
    assert.ok(calls(report(run(tag('v1.13.4')), 'DaemonSet/aws-node')).includes('watch pods node'));
    assert.ok(calls(report(run(tag('v1.18.5')), 'DaemonSet/aws-node')).includes('watch nodes cluster'));
    const r = run(tag('v1.19.0'));
    assert.deepEqual(calls(report(r, 'DaemonSet/aws-node')), ['update nodes node', 'watch nodes node', 'watch pods node']);
    assert.ok(!flagged(r, 'DaemonSet/aws-node').includes('per-node-cluster-list'));
  });

  it('custom networking watches ENIConfigs; ENABLE_POD_ENI reads each new pod and, by version, CNINodes', () => {
    assert.ok(calls(report(run(env(text, 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'true')), 'DaemonSet/aws-node')).includes('watch eniconfigs cluster'));
    const sgp = report(run(env(text, 'ENABLE_POD_ENI', 'true')), 'DaemonSet/aws-node');
    const get = sgp.calls.find((c) => c.verb === 'get' && c.resource === 'pods');
    assert.ok(get && (get.perPodOnNodePerSecond ?? 0) > 0, 'a GET per new pod on its node');
    assert.ok(calls(report(run(env(tag('v1.16.0'), 'ENABLE_POD_ENI', 'true')), 'DaemonSet/aws-node')).includes('watch cninodes cluster'));
    assert.ok(calls(report(run(env(tag('v1.20.0'), 'ENABLE_POD_ENI', 'true')), 'DaemonSet/aws-node')).includes('watch cninodes node'));
    assert.ok(!resources(report(run(tag('v1.20.0')), 'DaemonSet/aws-node')).has('cninodes'), 'v1.20+: no CNINode cache without ENABLE_POD_ENI');
  });
});

describe('network agents: Antrea', () => {
  const text = fixture('antrea.yaml');

  it('the agent watches every Node (flagged) and lists its own pods; the controller is the single-replica policy fan-out', () => {
    const r = run(text);
    const a = report(r, 'DaemonSet/antrea-agent');
    assert.deepEqual(calls(a), ['list pods node', 'update antreaagentinfos node', 'watch nodes cluster']);
    assert.equal(a.calls.find((c) => c.resource === 'antreaagentinfos')?.intervalSeconds, 60);
    assert.ok(flagged(r, 'DaemonSet/antrea-agent').includes('per-node-cluster-list'));
    const c = report(r, 'Deployment/antrea-controller');
    assert.deepEqual(calls(c), ['watch namespaces cluster', 'watch networkpolicies cluster', 'watch pods cluster']);
    assert.deepEqual(flagged(r, 'Deployment/antrea-controller'), []);
  });

  it('AntreaProxy (feature gate, or the default of a v0.11+ image) adds the kube-proxy watches; later releases are a lower bound', () => {
    const gate = replaceOnce(text, '    #serviceCIDR: 10.96.0.0/12\n', '    #serviceCIDR: 10.96.0.0/12\n    featureGates:\n      AntreaProxy: true\n');
    const a = report(run(gate), 'DaemonSet/antrea-agent');
    assert.ok(calls(a).includes('watch services cluster') && calls(a).includes('watch endpointslices cluster'));
    assert.ok(calls(a).includes('watch pods node'), 'the local pod informer of those releases');
    assert.ok(usageOf(gate, 'antrea-agent').unmodelled.length > 0);
    const v2 = report(run(text.replace(/antrea\/antrea-ubuntu:latest/g, 'antrea/antrea-ubuntu:v2.1.0')), 'DaemonSet/antrea-agent');
    assert.ok(calls(v2).includes('watch services cluster'));
    const off = replaceOnce(gate, 'AntreaProxy: true', 'AntreaProxy: false');
    assert.ok(!calls(report(run(off), 'DaemonSet/antrea-agent')).includes('watch services cluster'));
  });
});

describe('DNS: NodeLocal DNSCache and CoreDNS', () => {
  it('node-cache makes no API calls, whatever its Corefile says', () => {
    const text = fixture('nodelocaldns.yaml');
    for (const t of [text, replaceOnce(text, '        reload\n', '        reload\n        kubernetes cluster.local\n')]) {
      const r = run(t);
      const w = report(r, 'DaemonSet/node-local-dns');
      assert.deepEqual(w.agents, ['NodeLocal DNSCache']);
      assert.deepEqual(w.calls, []);
      assert.deepEqual(flagged(r, 'DaemonSet/node-local-dns'), []);
    }
  });

  const coredns = (corefile: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
${corefile.replace(/^/gm, '    ')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:v1.11.1
        args: ["-conf", "/etc/coredns/Corefile"]
        volumeMounts: [{name: config-volume, mountPath: /etc/coredns}]
      volumes:
      - name: config-volume
        configMap: {name: coredns}
`;

  it('CoreDNS: the kubernetes plugin watches Services, EndpointSlices, Namespaces; pods verified adds every pod; no plugin, no calls', () => {
    const base = '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n}';
    const w = report(run(coredns(base)), 'Deployment/coredns');
    assert.deepEqual(calls(w), ['watch endpointslices cluster', 'watch namespaces cluster', 'watch services cluster']);
    assert.ok(w.calls.every((c) => c.encoding === 'protobuf'));
    assert.ok(calls(report(run(coredns(base.replace('pods insecure', 'pods verified'))), 'Deployment/coredns')).includes('watch pods cluster'));
    assert.deepEqual(report(run(coredns('.:53 {\n    forward . 8.8.8.8\n    cache 30\n}')), 'Deployment/coredns').calls, []);
  });
});

describe('service proxies and other CNIs: kube-proxy, flannel, kube-router', () => {
  it('kube-proxy: the shared Windows DaemonSet is not flagged; the image pattern is exact', () => {
    const r = run(shared('kube-proxy-windows.yaml'));
    const w = report(r, 'DaemonSet/kube-proxy-windows');
    assert.deepEqual(calls(w), ['watch endpointslices cluster', 'watch nodes node', 'watch services cluster']);
    assert.deepEqual(flagged(r, 'DaemonSet/kube-proxy-windows'), []);
    assert.equal(recogniseAgent('registry.k8s.io/kube-proxy:v1.30.2')?.id, 'kube-proxy');
    assert.equal(recogniseAgent('gcr.io/google_containers/kube-proxy-amd64:v1.9.0')?.id, 'kube-proxy');
    assert.notEqual(recogniseAgent('example.com/oauth2-kube-proxy:v1')?.id, 'kube-proxy');
  });

  it('kube-proxy on Linux (as kubeadm creates it): inherent, not flagged', () => {
    const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system}
spec:
  template:
    spec:
      containers:
      - name: kube-proxy
        image: registry.k8s.io/kube-proxy:v1.30.2
        command: [/usr/local/bin/kube-proxy, --config=/var/lib/kube-proxy/config.conf, --hostname-override=$(NODE_NAME)]
`;
    const r = run(ds);
    assert.deepEqual(calls(report(r, 'DaemonSet/kube-proxy')), ['watch endpointslices cluster', 'watch nodes node', 'watch services cluster']);
    assert.deepEqual(flagged(r, 'DaemonSet/kube-proxy'), []);
  });

  it('flannel: kube-subnet-mgr watches every Node (flagged); alloc drops the informer from v0.20.0 only', () => {
    const text = fixture('flannel.yaml');
    const r = run(text);
    assert.deepEqual(calls(report(r, 'DaemonSet/kube-flannel-ds')), ['get pods namespace', 'patch nodes node', 'watch nodes cluster']);
    assert.ok(flagged(r, 'DaemonSet/kube-flannel-ds').includes('per-node-cluster-list'));
    const alloc = replaceOnce(text, '"Type": "vxlan"', '"Type": "alloc"');
    const a = run(alloc);
    assert.ok(calls(report(a, 'DaemonSet/kube-flannel-ds')).includes('get nodes node'));
    assert.ok(!flagged(a, 'DaemonSet/kube-flannel-ds').includes('per-node-cluster-list'));
    const old = alloc.replace(/flannel\/flannel:v0\.25\.0/g, 'flannel/flannel:v0.19.2');
    assert.ok(calls(report(run(old), 'DaemonSet/kube-flannel-ds')).includes('watch nodes cluster'));
  });

  it('kube-router: cluster-wide informers (flagged); EndpointSlices only from v2.0', () => {
    const text = fixture('kube-router.yaml');
    const r = run(text);
    const w = report(r, 'DaemonSet/kube-router');
    assert.ok(calls(w).includes('watch pods cluster') && calls(w).includes('watch endpointslices cluster'));
    assert.ok(flagged(r, 'DaemonSet/kube-router').includes('per-node-cluster-list'));
    const v1 = report(run(text.replace(/cloudnativelabs\/kube-router\n/g, 'cloudnativelabs/kube-router:v1.6.0\n')), 'DaemonSet/kube-router');
    assert.ok(!resources(v1).has('endpointslices') && resources(v1).has('endpoints'));
  });
});
