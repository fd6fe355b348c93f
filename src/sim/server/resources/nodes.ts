// Nodes node-00001 …: Ready up to what the model reports, the rest NotReady (conditions Unknown,
// unreachable taints), as the node-lifecycle controller leaves a node whose kubelet went silent.
import type { Layout, Provider } from '../layout';
import { stableUid } from '../names';
import { EMPTY, concat, rangeSeq } from '../seq';
import { KUBE_VERSION, LazyObject, type Json, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, type Any, type SimResource } from './resource';
import { condition, int, list, obj, quantities, str, strings, time, type KindSchema } from '../schema';

/**
 * What every node has (an m5.4xlarge: 16 vCPUs, 64 GiB) and what the kubelet leaves to pods
 * after kube-reserved, system-reserved and the eviction threshold; the difference is what the
 * node's own daemons (kubelet, containerd, the OS) are set aside.
 */
export const NODE_CPU_MILLI = { capacity: 16_000, allocatable: 15_890 };
export const NODE_MEMORY_KI = { capacity: 65_023_572, allocatable: 62_285_396 };

export function nodeObject(layout: Layout, i: number): SimObject {
  const name = layout.nodeName(i);
  const zone = `zone-${'abc'[i % 3]}`;
  const labels = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'm5.4xlarge',
    'topology.kubernetes.io/region': 'sim-1',
    'topology.kubernetes.io/zone': zone,
  };
  const ready = layout.nodeReady(i);
  const clock = layout.clock;
  return new LazyObject('nodes', undefined, name, labels, layout.nodeCreated(i), layout.baseRv - 1, (p) => (p === 'spec.unschedulable' ? 'false' : undefined), (o) => {
    const now = clock.now();
    const hb = clock.iso(ready ? now - (i % 10) : Math.min(now, 0) - 60);
    const since = clock.iso(o.created + 30);
    const cond = (type: string, status: string, reason: string, message: string): Json => ({ type, status, lastHeartbeatTime: hb, lastTransitionTime: since, reason, message });
    const unknown = (type: string): Json => cond(type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.');
    const cidr = `10.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`;
    const spec: Json = { podCIDR: cidr, podCIDRs: [cidr], providerID: `sim://${zone}/${name}` };
    if (!ready) {
      spec.taints = [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: hb },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: hb },
      ];
    }
    const pods = String(Math.max(110, layout.spec.podsPerNode));
    return {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: layout.meta(o, { annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } }),
      spec,
      status: {
        capacity: { cpu: String(NODE_CPU_MILLI.capacity / 1000), 'ephemeral-storage': '203056560Ki', memory: `${NODE_MEMORY_KI.capacity}Ki`, pods },
        allocatable: { cpu: `${NODE_CPU_MILLI.allocatable}m`, 'ephemeral-storage': '186161014123', memory: `${NODE_MEMORY_KI.allocatable}Ki`, pods },
        conditions: ready
          ? [
              cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
              cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
              cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
              cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
            ]
          : ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map(unknown),
        addresses: [
          { type: 'InternalIP', address: layout.nodeIP(i) },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: stableUid(`machine/${name}`).replace(/-/g, ''),
          systemUUID: stableUid(`system/${name}`),
          bootID: stableUid(`boot/${name}`),
          kernelVersion: '6.1.0-28-cloud-amd64',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          containerRuntimeVersion: 'containerd://1.7.24',
          kubeletVersion: KUBE_VERSION,
          kubeProxyVersion: KUBE_VERSION,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
  });
}

function provider(layout: Layout): Provider {
  const all = concat([rangeSeq(layout.nodeCount, (i) => nodeObject(layout, i))]);
  return {
    all,
    inNamespace: () => EMPTY,
    get: (_ns, name) => {
      const i = layout.nodeIndex(name);
      return i < 0 ? undefined : nodeObject(layout, i);
    },
  };
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (nodes).
const schema: KindSchema = {
  description: 'Node is a worker node in Kubernetes.',
  properties: {
    spec: obj('Spec defines the behavior of a node.', {
      podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
      podCIDRs: strings('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.'),
      providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>'),
      unschedulable: { type: 'boolean', description: 'Unschedulable controls node schedulability of new pods.' },
      taints: list(
        "If specified, the node's taints.",
        obj('The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
          key: str('The taint key to be applied to a node.'),
          value: str('The taint value corresponding to the taint key.'),
          effect: str('The effect of the taint on pods that do not tolerate the taint. NoSchedule, PreferNoSchedule and NoExecute.'),
          timeAdded: time('TimeAdded represents the time at which the taint was added.'),
        }),
      ),
    }),
    status: obj('Most recently observed status of the node.', {
      capacity: quantities('Capacity represents the total resources of a node.'),
      allocatable: quantities('Allocatable represents the resources of a node that are available for scheduling.'),
      conditions: condition('Conditions is an array of current observed node conditions.', { lastHeartbeatTime: time('Last time we got an update on a given condition.') }),
      addresses: list(
        'List of addresses reachable to the node.',
        obj("NodeAddress contains information for the node's address.", { type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'), address: str('The node address.') }),
      ),
      daemonEndpoints: obj('Endpoints of daemons running on the Node.', {
        kubeletEndpoint: obj('Endpoint on which Kubelet is listening.', { Port: int('Port number of the given endpoint.') }),
      }),
      nodeInfo: obj('Set of ids/uuids to uniquely identify the node.', {
        machineID: str('MachineID reported by the node.'),
        systemUUID: str('SystemUUID reported by the node.'),
        bootID: str('Boot ID reported by the node.'),
        kernelVersion: str("Kernel Version reported by the node from 'uname -r'."),
        osImage: str('OS Image reported by the node from /etc/os-release.'),
        containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
        kubeletVersion: str('Kubelet Version reported by the node.'),
        kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
        operatingSystem: str('The Operating System reported by the node.'),
        architecture: str('The Architecture reported by the node.'),
      }),
    }),
  },
};

export const nodes: SimResource = {
  name: 'nodes',
  singularName: 'node',
  kind: 'Node',
  group: '',
  version: 'v1',
  namespaced: false,
  shortNames: ['no'],
  fields: ['spec.unschedulable'],
  subresources: [STATUS('Node')],
  schema,
  // Labels, annotations, taints and spec.unschedulable (kubectl cordon, label, taint) are kept and
  // served; the model's nodes do not change for them (the simulated scheduler places no new pods).
  write: {},
  columns: [
    NAME,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of internal IPs associated with the node.', 1),
    col('External-IP', 'string', 'List of external IPs associated with the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells: (o, age) => {
    const ready = ((o.status?.conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
    let status = ready?.status === 'True' ? 'Ready' : 'NotReady';
    if (o.spec?.unschedulable) status += ',SchedulingDisabled';
    const roles = Object.keys(o.metadata?.labels ?? {})
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length));
    const addr = (t: string): string => ((o.status?.addresses ?? []) as Any[]).find((a) => a.type === t)?.address ?? '<none>';
    const info = o.status?.nodeInfo ?? {};
    return [o.metadata.name, status, roles.length ? roles.sort().join(',') : '<none>', age, info.kubeletVersion, addr('InternalIP'), addr('ExternalIP'), info.osImage, info.kernelVersion, info.containerRuntimeVersion];
  },
  provider,
};
