// Endpoints: one per Service, its ready backends (the API servers, coredns pods, filler pods).
import type { Layout } from '../layout';
import { stableUid } from '../names';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { perServiceProvider, type ServicePlan } from './services';
import { AGE, NAME, col, type Any, type SimResource } from './resource';

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
  columns: [NAME, col('Endpoints', 'string', 'Endpoints of the service'), AGE],
  cells: (o, age) => [o.metadata.name, endpointsCell(o), age],
  provider: (layout) => perServiceProvider(layout, (plan) => endpointsObject(layout, plan)),
};
