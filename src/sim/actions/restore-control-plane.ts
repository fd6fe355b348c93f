// `restore-control-plane`: the API server replicas start again.
import type { ScenarioActionDef } from './action';

export const restoreControlPlane = {
  name: 'restore-control-plane',
  title: 'Restore the control plane',
  usage: 'restore-control-plane',
  fields: [],
  inject: { params: [], panelRow: 'control-plane' },
  parse: () => ({}),
  apply(cluster) {
    cluster.restoreControlPlane();
  },
} satisfies ScenarioActionDef<'restore-control-plane', object>;
