// EndpointSlices: one per Service (`<service>-<5 chars>`), as the EndpointSlice controller
// names them, with the same backends as its Endpoints.
import type { Layout } from '../layout';
import { hashChars, stableUid } from '../names';
import { LazyObject, noFields, type SimObject } from '../simObject';
import { targetRef } from './endpoints';
import { perServiceProvider, type ServicePlan } from './services';
import { AGE, NAME, col, portsCell, type Any, type SimResource } from './resource';
import { bool, int, list, obj, objectReference, str, strings, type KindSchema } from '../schema';

function sliceObject(layout: Layout, plan: ServicePlan): SimObject {
  const { namespace: ns, name, labels, created, backends, ports } = plan;
  const sliceName = `${name}-${hashChars(`slice/${ns}/${name}`, 5)}`;
  const sliceLabels = { ...labels, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': name };
  return new LazyObject('endpointslices', ns, sliceName, sliceLabels, created, plan.endpointsRv, noFields, (o) => ({
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: layout.meta(o, {
      generateName: `${name}-`,
      ownerReferences: plan.index === -2 ? undefined : [{ apiVersion: 'v1', kind: 'Service', name, uid: stableUid(`services/${ns}/${name}/${created}`), controller: true, blockOwnerDeletion: true }],
    }),
    addressType: 'IPv4',
    endpoints: backends.map((b) => ({
      addresses: [b.ip],
      conditions: { ready: true, serving: true, terminating: false },
      ...(b.node ? { nodeName: b.node } : {}),
      ...(b.pod ? { targetRef: targetRef(plan, b) } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
  }));
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (endpointslices).
const schema: KindSchema = {
  description: 'EndpointSlice represents a subset of the endpoints that implement a service.',
  properties: {
    addressType: str('addressType specifies the type of address carried by this EndpointSlice. IPv4, IPv6 or FQDN.'),
    endpoints: list(
      'endpoints is a list of unique endpoints in this slice.',
      obj('Endpoint represents a single logical "backend" implementing a service.', {
        addresses: strings('addresses of this endpoint.'),
        conditions: obj('conditions contains information about the current status of the endpoint.', {
          ready: bool('ready indicates that this endpoint is ready to receive traffic, according to whatever system is managing the endpoint.'),
          serving: bool('serving indicates that this endpoint is able to receive traffic, according to whatever system is managing the endpoint.'),
          terminating: bool('terminating indicates that this endpoint is terminating.'),
        }),
        hostname: str('hostname of this endpoint.'),
        nodeName: str('nodeName represents the name of the Node hosting this endpoint.'),
        zone: str('zone is the name of the Zone this endpoint exists in.'),
        targetRef: objectReference('targetRef is a reference to a Kubernetes object that represents this endpoint.'),
      }),
    ),
    ports: list(
      'ports specifies the list of network ports exposed by each endpoint in this slice.',
      obj('EndpointPort represents a Port used by an EndpointSlice', { name: str('name represents the name of this port.'), port: int('port represents the port number of the endpoint.'), protocol: str('protocol represents the IP protocol for this port. TCP, UDP, or SCTP.') }),
    ),
  },
};

export const endpointslices: SimResource = {
  name: 'endpointslices',
  singularName: 'endpointslice',
  kind: 'EndpointSlice',
  group: 'discovery.k8s.io',
  version: 'v1',
  namespaced: true,
  fields: [],
  subresources: [],
  schema,
  columns: [
    NAME,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE,
  ],
  cells: (o, age) => {
    const eps = ((o.endpoints ?? []) as Any[]).flatMap((e) => e.addresses ?? []) as string[];
    const epCell = eps.length ? (eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',')) : '<unset>';
    return [o.metadata.name, o.addressType, portsCell(o.ports, (p) => String(p.port)), epCell, age];
  },
  provider: (layout) =>
    perServiceProvider(
      layout,
      (plan) => sliceObject(layout, plan),
      (name) => /^(.*)-[a-z0-9]{5}$/.exec(name)?.[1],
    ),
};
