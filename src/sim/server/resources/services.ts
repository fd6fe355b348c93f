// Services: default/kubernetes (the API servers), kube-system/kube-dns (coredns), and the rest
// spread over the app namespaces (the filler application of each). Endpoints and EndpointSlices
// (endpoints.ts, endpointslices.ts) are built from the same plan of each Service.
import type { Layout, Provider } from '../layout';
import { rangeSeq, type Seq } from '../seq';
import { CLUSTER_BORN, LazyObject, type SimObject } from '../simObject';
import { workloadPod, fillerPod } from './pods';
import { AGE, NAME, STATUS, col, formatLabels, portsCell, type SimResource } from './resource';
import { int, intOrString, list, obj, str, stringMap, strings, type KindSchema } from '../schema';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number;
  protocol: string;
}

/** A Service and what backs it (service index s: -2 default/kubernetes, -1 kube-system/kube-dns, else an app service). */
export interface ServicePlan {
  index: number;
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  clusterIP: string;
  ports: ServicePort[];
  labels: Record<string, string>;
  backends: Array<{ ip: string; node?: string; pod?: SimObject }>;
  created: number;
  /** resourceVersion of its Endpoints and EndpointSlice (they change with coredns). */
  endpointsRv: number;
}

export function servicePlan(layout: Layout, s: number): ServicePlan {
  let ns: string;
  let name: string;
  let selector: Record<string, string> | undefined;
  let clusterIP: string;
  let ports: ServicePort[];
  let labels: Record<string, string> = {};
  let backends: ServicePlan['backends'];
  if (s === -2) {
    ns = 'default';
    name = 'kubernetes';
    clusterIP = '10.96.0.1';
    ports = [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }];
    labels = { component: 'apiserver', provider: 'kubernetes' };
    backends = Array.from({ length: Math.max(0, layout.apiReplicasReady) }, (_, r) => ({ ip: `172.20.0.${10 + r}` }));
  } else if (s === -1) {
    ns = 'kube-system';
    name = 'kube-dns';
    clusterIP = '10.96.0.10';
    selector = { 'k8s-app': 'kube-dns' };
    labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
    ports = [
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
    ];
    const dns = layout.workloads.get('kube-system/coredns');
    backends = dns ? Array.from({ length: dns.running }, (_, i) => workloadPod(layout, dns, i)).map((p) => ({ ip: String(p.field('status.podIP')), node: p.field('spec.nodeName'), pod: p })) : [];
  } else {
    // App service s is the k-th service of app namespace j.
    const appNamespaces = layout.appNamespaceCount;
    const j = s % appNamespaces;
    const k = Math.floor(s / appNamespaces);
    const { app } = layout.fillerApp(j);
    ns = layout.appNs[j];
    name = k === 0 ? app : `${app}-${k}`;
    selector = { app };
    labels = { app };
    clusterIP = `10.${96 + ((s + 11) >> 16)}.${((s + 11) >> 8) & 255}.${(s + 11) & 255}`;
    ports = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    const c = Math.min(3, layout.fillerCount(j));
    backends = Array.from({ length: c }, (_, i) => fillerPod(layout, j + i * appNamespaces)).map((p) => ({ ip: String(p.field('status.podIP')), node: p.field('spec.nodeName'), pod: p }));
  }
  const created = s < 0 ? CLUSTER_BORN : CLUSTER_BORN + 3600 + (s % 86400);
  const endpointsRv = s === -1 ? Math.max(layout.baseRv - 4, layout.workloads.get('kube-system/coredns')?.rv ?? 0) : layout.baseRv - 4;
  return { index: s, namespace: ns, name, selector, clusterIP, ports, labels, backends, created, endpointsRv };
}

/** The service index of a Service name in a namespace, if there is such a Service. */
function serviceIndex(layout: Layout, ns: string, svcName: string): number | undefined {
  if (ns === 'default' && svcName === 'kubernetes') return -2;
  if (ns === 'kube-system' && svcName === 'kube-dns') return -1;
  const j = layout.appIndex.get(ns);
  if (j === undefined) return undefined;
  const { app } = layout.fillerApp(j);
  const m = new RegExp(`^${app}(?:-(\\d+))?$`).exec(svcName);
  if (!m) return undefined;
  const k = m[1] === undefined ? 0 : Number(m[1]);
  if (m[1] !== undefined && k < 1) return undefined;
  const idx = j + k * layout.appNamespaceCount;
  return idx < layout.appServices ? idx : undefined;
}

/**
 * A provider of one object per Service (the Service, its Endpoints, its EndpointSlice);
 * `serviceNameOf` maps an object's name back to its Service's name.
 */
export function perServiceProvider(layout: Layout, make: (plan: ServicePlan) => SimObject, serviceNameOf: (name: string) => string | undefined = (n) => n): Provider {
  const object = (s: number): SimObject => make(servicePlan(layout, s));
  const parts = new Map<string, Seq[]>();
  parts.set('default', [rangeSeq(1, () => object(-2))]);
  parts.set('kube-system', [rangeSeq(1, () => object(-1))]);
  const appNamespaces = layout.appNamespaceCount;
  for (let j = 0; j < appNamespaces; j++) {
    const c = j < layout.appServices ? Math.floor((layout.appServices - 1 - j) / appNamespaces) + 1 : 0;
    parts.set(layout.appNs[j], [rangeSeq(c, (i) => object(j + i * appNamespaces))]);
  }
  return layout.namespacedProvider(parts, (ns, name) => {
    const svcName = serviceNameOf(name);
    if (svcName === undefined) return undefined;
    const s = serviceIndex(layout, ns, svcName);
    if (s === undefined) return undefined;
    const o = object(s);
    return o.name === name ? o : undefined;
  });
}

function serviceObject(layout: Layout, plan: ServicePlan): SimObject {
  const { namespace, name, labels, created, clusterIP, ports, selector } = plan;
  return new LazyObject('services', namespace, name, labels, created, layout.baseRv - 4, (p) => (p === 'spec.clusterIP' ? clusterIP : p === 'spec.type' ? 'ClusterIP' : undefined), (o) => ({
    kind: 'Service',
    apiVersion: 'v1',
    metadata: layout.meta(o),
    spec: {
      clusterIP,
      clusterIPs: [clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports,
      ...(selector ? { selector } : {}),
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  }));
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (services).
const schema: KindSchema = {
  description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  properties: {
    spec: obj('Spec defines the behavior of a service.', {
      type: str('type determines how the Service is exposed. ClusterIP, NodePort, LoadBalancer or ExternalName.'),
      selector: stringMap('Route service traffic to pods with label keys and values matching this selector.'),
      ports: list(
        'The list of ports that are exposed by this service.',
        obj("ServicePort contains information on service's port.", {
          name: str('The name of this port within the service.'),
          protocol: str('The IP protocol for this port. TCP, UDP, or SCTP.'),
          port: int('The port that will be exposed by this service.'),
          targetPort: intOrString('Number or name of the port to access on the pods targeted by the service.'),
          nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
        }),
      ),
      clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
      clusterIPs: strings('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.'),
      sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity.'),
      ipFamilies: strings('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
      ipFamilyPolicy: str('IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.'),
      internalTrafficPolicy: str('InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. Cluster or Local.'),
    }),
    status: obj('Most recently observed status of the service.', {
      loadBalancer: obj('LoadBalancer contains the current status of the load-balancer, if one is present.', {
        ingress: list('Ingress is a list containing ingress points for the load-balancer.', obj('LoadBalancerIngress represents the status of a load-balancer ingress point.', { ip: str('IP is set for load-balancer ingress points that are IP based.'), hostname: str('Hostname is set for load-balancer ingress points that are DNS based.') })),
      }),
    }),
  },
};

export const services: SimResource = {
  name: 'services',
  singularName: 'service',
  kind: 'Service',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  fields: ['spec.clusterIP', 'spec.type'],
  subresources: [STATUS('Service')],
  schema,
  columns: [
    NAME,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'List of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells: (o, age) => [o.metadata.name, o.spec?.type, o.spec?.clusterIP ?? '<none>', '<none>', portsCell(o.spec?.ports, (p) => `${p.port}/${p.protocol}`), age, o.spec?.selector ? formatLabels(o.spec.selector) : '<none>'],
  provider: (layout) => perServiceProvider(layout, (plan) => serviceObject(layout, plan)),
};
