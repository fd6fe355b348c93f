// `block-client`: a workload's traffic to the API servers dropped at the control-plane hosts.
import { workloadRef, type ScenarioActionDef } from './action';

export const blockClient = {
  name: 'block-client',
  title: 'Block a client',
  usage: 'block NS/NAME',
  fields: ['namespace', 'name'],
  inject: { params: ['client'], panelRow: 'client', alias: 'block' },
  parse: workloadRef,
  apply(cluster, spec) {
    cluster.setBlocked(spec.namespace, spec.name, true);
  },
} satisfies ScenarioActionDef<'block-client', { namespace: string; name: string }>;
