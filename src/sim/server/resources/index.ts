// The resources the simulated API server serves, in discovery order. Adding a resource is one
// file in this folder (its discovery entry, objects, field selectors and table columns) and one
// line here.
import type { Layout, Provider } from '../layout';
import { daemonsets } from './daemonsets';
import { deployments } from './deployments';
import { endpoints } from './endpoints';
import { endpointslices } from './endpointslices';
import { events } from './events';
import { flowschemas } from './flowschemas';
import { leases } from './leases';
import { namespaces } from './namespaces';
import { nodes } from './nodes';
import { pods } from './pods';
import { prioritylevelconfigurations } from './prioritylevelconfigurations';
import { replicasets } from './replicasets';
import type { SimResource } from './resource';
import { services } from './services';

export type { ResourceDef, SimResource } from './resource';

export const RESOURCES: readonly SimResource[] = [
  namespaces,
  nodes,
  pods,
  services,
  endpoints,
  events,
  daemonsets,
  deployments,
  replicasets,
  leases,
  endpointslices,
  flowschemas,
  prioritylevelconfigurations,
];

const BY_NAME = new Map(RESOURCES.map((r) => [r.name, r]));

/** A resource by its plural name (every served name is unique across groups). */
export function resourceNamed(name: string): SimResource | undefined {
  return BY_NAME.get(name);
}

export function findResource(group: string, version: string, name: string): SimResource | undefined {
  const r = BY_NAME.get(name);
  return r && r.group === group && r.version === version ? r : undefined;
}

/** The objects of a resource in a layout (built on first use and kept with the layout, except volatile ones). */
export function providerOf(layout: Layout, name: string): Provider | undefined {
  const r = BY_NAME.get(name);
  if (!r) return undefined;
  if (r.volatile) return r.provider(layout);
  let p = layout.providers.get(name);
  if (!p) {
    p = r.provider(layout);
    layout.providers.set(name, p);
  }
  return p;
}
