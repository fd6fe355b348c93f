// The resources the simulated API server serves, in discovery order. Adding a resource is one
// file in this folder (its discovery entry, objects, field selectors and table columns) and one
// line here.
import type { Layout, Provider } from '../layout';
import { controllerrevisions } from './controllerrevisions';
import { daemonsets } from './daemonsets';
import { deployments } from './deployments';
import { endpoints } from './endpoints';
import { endpointslices } from './endpointslices';
import { events } from './events';
import { eventsV1 } from './events.k8s.io';
import { flowschemas } from './flowschemas';
import { leases } from './leases';
import { namespaces } from './namespaces';
import { nodes } from './nodes';
import { nodemetrics } from './nodemetrics';
import { poddisruptionbudgets } from './poddisruptionbudgets';
import { pods } from './pods';
import { podmetrics } from './podmetrics';
import { prioritylevelconfigurations } from './prioritylevelconfigurations';
import { replicasets } from './replicasets';
import type { SimResource } from './resource';
import { selfsubjectaccessreviews } from './selfsubjectaccessreviews';
import { selfsubjectreviews, selfsubjectreviewsV1beta1 } from './selfsubjectreviews';
import { services } from './services';

import { storeKey } from './resource';

export type { ResourceDef, SimResource } from './resource';
export { storeKey };

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
  controllerrevisions,
  leases,
  endpointslices,
  eventsV1,
  flowschemas,
  prioritylevelconfigurations,
  poddisruptionbudgets,
  selfsubjectaccessreviews,
  selfsubjectreviews,
  selfsubjectreviewsV1beta1,
  nodemetrics,
  podmetrics,
];

/** The resources that own their objects, by the store's key (the plural name; `<name>.<group>` for an aggregated one). */
const BY_NAME = new Map(RESOURCES.filter((r) => !r.storedAs).map((r) => [storeKey(r), r]));

/** A resource the store keeps, by its store key. */
export function resourceNamed(name: string): SimResource | undefined {
  return BY_NAME.get(name);
}

export function findResource(group: string, version: string, name: string): SimResource | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

/** Drops a resource's kept provider, and those of the resources that measure its objects (they change with them). */
export function forgetProvider(layout: Layout, name: string): void {
  layout.providers.delete(name);
  for (const [key, r] of BY_NAME) if (r.measures === name) layout.providers.delete(key);
}

/**
 * The objects of a resource in a layout: built on first use and kept with the layout, except
 * volatile ones, and built again once the simulated time it said it holds `until` has come.
 */
export function providerOf(layout: Layout, name: string): Provider | undefined {
  const r = BY_NAME.get(name);
  if (!r) return undefined;
  if (r.volatile) return r.provider(layout);
  let p = layout.providers.get(name);
  if (!p || (p.until !== undefined && layout.clock.now() >= p.until)) {
    p = r.provider(layout);
    layout.providers.set(name, p);
  }
  return p;
}
