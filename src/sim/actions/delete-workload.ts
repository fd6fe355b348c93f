// `delete-workload`: deletion through the API server; pods stop only as kubelets hear of it.
import { workloadRef, type ScenarioActionDef } from './action';

export const deleteWorkload = {
  name: 'delete-workload',
  title: 'Delete a workload',
  usage: 'delete-workload: namespace, name',
  fields: ['namespace', 'name'],
  parse: workloadRef,
  apply(cluster, spec) {
    if (!cluster.deleteWorkload(spec.namespace, spec.name)) cluster.emit('note', `no workload ${spec.namespace}/${spec.name} to delete`);
  },
} satisfies ScenarioActionDef<'delete-workload', { namespace: string; name: string }>;
