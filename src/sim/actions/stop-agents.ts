// `stop-agents`: a workload's pods stopped on the nodes themselves, around the API server.
import { workloadRef, type ScenarioActionDef } from './action';

export const stopAgents = {
  name: 'stop-agents',
  title: 'Stop agents on their nodes',
  usage: 'stop-agents NS/NAME',
  fields: ['namespace', 'name'],
  inject: { params: ['client'] },
  parse: workloadRef,
  apply(cluster, spec) {
    cluster.stopAgents(spec.namespace, spec.name);
  },
} satisfies ScenarioActionDef<'stop-agents', { namespace: string; name: string }>;
