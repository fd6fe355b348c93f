// Endpoints: one per Service, its ready backends (the API servers, coredns pods, filler pods).
import type { Layout } from '../layout';
import { stableUid } from '../names';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { perServiceProvider, type ServicePlan } from './services';
import { AGE, NAME, col, type Any, type SimResource } from './resource';
import { int, list, obj, objectReference, str, type KindSchema, type Schema } from '../schema';

/** A backend's targetRef (its pod). */
export function targetRef(plan: ServicePlan, b: ServicePlan['backends'][number]): Json | undefined {
  return b.pod ? { kind: 'Pod', namespace: plan.namespace, name: b.pod.name, uid: stableUid(`pods/${plan.namespace}/${b.pod.name}/${b.pod.created}`) } : undefined;
}

function endpointsObject(layout: Layout, plan: ServicePlan): SimObject {
  const { namespace, name, labels, created, backends, ports } = plan;
  return new LazyObject('endpoints', namespace, name, labels, created, plan.endpointsRv, noFields, (o) => ({
    kind: 'Endpoints',
    apiVersion: 'v1',
    metadata: layout.meta(o),
    subsets: backends.length
      ? [{ addresses: backends.map((b) => ({ ip: b.ip, ...(b.node ? { nodeName: b.node } : {}), ...(b.pod ? { targetRef: targetRef(plan, b) } : {}) })), ports: ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })) }]
      : undefined,
  }));
}

/** "10.0.0.1:53,10.0.0.2:53 + 4 more..." as kubectl formats Endpoints. */
function endpointsCell(o: Any): string {
  const out: string[] = [];
  let total = 0;
  for (const s of (o.subsets ?? []) as Any[]) {
    for (const p of (s.ports?.length ? s.ports : [{}]) as Any[]) {
      for (const a of (s.addresses ?? []) as Any[]) {
        total++;
        if (out.length < 3) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      }
    }
  }
  if (!total) return '<none>';
  return total > 3 ? `${out.join(',')} + ${total - 3} more...` : out.join(',');
}

const endpointAddress: Schema = obj('EndpointAddress is a tuple that describes single IP address.', {
  ip: str('The IP of this endpoint.'),
  hostname: str('The Hostname of this endpoint.'),
  nodeName: str('Optional: Node hosting this endpoint.'),
  targetRef: objectReference('Reference to object providing the endpoint.'),
});

// https://kubernetes.io/docs/reference/kubernetes-api/ (endpoints).
const schema: KindSchema = {
  description: 'Endpoints is a collection of endpoints that implement the actual service.',
  properties: {
    subsets: list(
      'The set of all endpoints is the union of all subsets.',
      obj('EndpointSubset is a group of addresses with a common set of ports.', {
        addresses: list('IP addresses which offer the related ports that are marked as ready.', endpointAddress),
        notReadyAddresses: list('IP addresses which offer the related ports but are not currently marked as ready.', endpointAddress),
        ports: list(
          'Port numbers available on the related IP addresses.',
          obj('EndpointPort is a tuple that describes a single port.', { name: str('The name of this port.'), port: int('The port number of the endpoint.'), protocol: str('The IP protocol for this port. TCP, UDP, or SCTP.') }),
        ),
      }),
    ),
  },
};

export const endpoints: SimResource = {
  name: 'endpoints',
  singularName: 'endpoints',
  kind: 'Endpoints',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['ep'],
  fields: [],
  subresources: [],
  schema,
  columns: [NAME, col('Endpoints', 'string', 'Endpoints of the service'), AGE],
  cells: (o, age) => [o.metadata.name, endpointsCell(o), age],
  provider: (layout) => perServiceProvider(layout, (plan) => endpointsObject(layout, plan)),
};
