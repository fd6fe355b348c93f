// `unblock-client`: lifts a block-client.
import { workloadRef, type ScenarioActionDef } from './action';

export const unblockClient = {
  name: 'unblock-client',
  title: 'Unblock a client',
  usage: 'unblock NS/NAME',
  fields: ['namespace', 'name'],
  inject: { params: ['client'], panelRow: 'client', alias: 'unblock' },
  parse: workloadRef,
  apply(cluster, spec) {
    cluster.setBlocked(spec.namespace, spec.name, false);
  },
} satisfies ScenarioActionDef<'unblock-client', { namespace: string; name: string }>;
