import type { Agent } from './types';
import { call, result } from './util';

const SRC = 'Dynatrace/dynatrace-operator';

/**
 * Dynatrace: one operator image plays several roles, chosen by its first argument (operator,
 * webhook-server, csi-driver, csi-node-driver-registrar, livenessprobe). The per-node OneAgent
 * DaemonSet and the ActiveGate StatefulSet are created by the operator from a DynaKube, so they are
 * rarely in manifests; when they are, their own images are recognised below.
 * - operator (1 replica, leader-elected): a Node informer cluster-wide, DynaKube, DaemonSet and
 *   StatefulSet informers in its namespace.
 * - webhook-server: called BY the API server on pod admission; reads DynaKubes of its namespace.
 * - csi-driver (DaemonSet): a controller-runtime manager limited to the operator namespace
 *   (DynaKube informer), plus a GET of the namespace of a volume it publishes.
 * - OneAgent: a host agent, no API calls; Kubernetes metadata comes from the ActiveGate.
 * - ActiveGate with kubernetes-monitoring: list/watch of nodes, pods, namespaces, events,
 *   services and workloads cluster-wide from its replicas (1 by default); the capability is set in
 *   the DynaKube, not the pod, so its calls are not modelled here.
 */
export const dynatraceOperator: Agent = {
  id: 'dynatrace-operator',
  name: 'Dynatrace Operator (operator, webhook, CSI driver)',
  category: 'metrics',
  summary:
    'The operator (1 leader-elected replica) watches every Node and, in its namespace, DynaKubes, DaemonSets and StatefulSets; the webhook is called by the API server on pod admission; the CSI driver DaemonSet watches the DynaKubes of the operator namespace only.',
  sources: [
    `${SRC} src/cmd/operator/operator.go@84dc292: LeaderElection: true, LeaderElectionID "dynatrace-operator-lock", LeaderElectionResourceLock "configmaps"`,
    `${SRC} src/controllers/nodes/watchers.go@84dc292: r.cache.GetInformer(context.TODO(), &corev1.Node{}); src/controllers/dynakube/dynakube_controller.go: For(&DynaKube{}).Owns(&appsv1.StatefulSet{}).Owns(&appsv1.DaemonSet{})`,
    `${SRC} src/cmd/operator/csi_driver.go@84dc292: ctrl.NewManager(cfg, ctrl.Options{Namespace: ns, …}); src/controllers/csi/provisioner/reconciler.go and csi/gc/controller.go For(&DynaKube{}); csi/driver/bind_config.go GETs the volume's namespace`,
  ],
  image: /(^|\/)dynatrace\/dynatrace-operator([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
    const role = [...ctx.container.command, ...ctx.container.args].find((a) => /^(operator|webhook-server|csi-driver|csi-node-driver-registrar|livenessprobe|init|troubleshoot|support-archive|startup)$/.test(a));
    const tag = `Dynatrace ${role ?? 'operator image'}`;
    switch (role) {
      case 'operator':
        r.leaderElection = true;
        r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0', leaderOnly: true }, at, tag, 'every Node (nodes controller)'));
        for (const res of ['dynakubes', 'daemonsets', 'statefulsets']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'namespace', rv: '0', leaderOnly: true }, at, tag, `${res} of its namespace (DynaKube controller)`));
        break;
      case 'webhook-server':
        r.calls.push(call({ verb: 'watch', resource: 'dynakubes', scope: 'namespace', rv: '0' }, at, tag, 'DynaKubes of its namespace (it is called by the API server on pod admission)'));
        break;
      case 'csi-driver':
        r.calls.push(call({ verb: 'watch', resource: 'dynakubes', scope: 'namespace', rv: '0' }, at, tag, 'DynaKubes of the operator namespace only (manager Namespace option)'));
        r.notes.push('Dynatrace CSI driver: also GETs the namespace of each volume it publishes on its node (pods with code-module injection)');
        break;
      case 'csi-node-driver-registrar':
      case 'livenessprobe':
        r.notes.push(`Dynatrace ${role}: talks to the kubelet's plugin registration socket, not the API server`);
        break;
      default:
        r.unknown = true;
        r.notes.push('dynatrace-operator image without a known role argument (operator, webhook-server, csi-driver): usage unknown');
    }
    return r;
  },
};

export const dynatraceOneAgent: Agent = {
  id: 'dynatrace-oneagent',
  name: 'Dynatrace OneAgent',
  category: 'metrics',
  summary: 'The per-node host agent the operator creates from a DynaKube: reads its host and container runtime, no API calls (Kubernetes metadata comes from the ActiveGate).',
  sources: [
    `${SRC} config/deploy/kubernetes/kubernetes-csi.yaml@84dc292: the OneAgent ServiceAccounts (dynatrace-dynakube-oneagent, -unprivileged) are granted only OpenShift SCC use`,
    'docs.dynatrace.com …/how-it-works/kubernetes-monitoring-classic: "Dynatrace ActiveGate routes observability data to the Dynatrace cluster and monitors the Kubernetes API"',
  ],
  image: /(\/linux\/oneagent|dynatrace\/(dynatrace-)?oneagent)([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    r.notes.push('Dynatrace OneAgent: host agent, no API calls');
    return r;
  },
};

export const dynatraceActiveGate: Agent = {
  id: 'dynatrace-activegate',
  name: 'Dynatrace ActiveGate',
  category: 'metrics',
  summary: 'With the kubernetes-monitoring capability (set in the DynaKube) it lists and watches nodes, pods, namespaces, events, services and workloads cluster-wide from its replicas (1 by default); the capability is not visible in the pod, so its calls are unmodelled.',
  sources: [
    'docs.dynatrace.com …/k8s-api-monitoring-classic: "Dynatrace ActiveGate—the Dynatrace component required to monitor the Kubernetes API—offers a capability for Kubernetes API Monitoring"',
    `${SRC} config/deploy/kubernetes/kubernetes-csi.yaml@84dc292 ClusterRole dynatrace-kubernetes-monitoring: list/watch/get on nodes, pods, namespaces, events, services and workloads (reach, not calls)`,
  ],
  image: /(\/linux\/activegate|dynatrace\/dynatrace-activegate)([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    r.unmodelled = ['kubernetes-monitoring capability (cluster-wide list/watch of nodes, pods, namespaces, events, services and workloads, when the DynaKube enables it)'];
    return r;
  },
};
