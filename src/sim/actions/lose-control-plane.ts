// `lose-control-plane`: every API server replica down, no automatic restart; etcd checks fail.
import type { ScenarioActionDef } from './action';

export const loseControlPlane = {
  name: 'lose-control-plane',
  title: 'Lose the control plane',
  usage: 'lose-control-plane',
  fields: [],
  inject: { params: [], panelRow: 'control-plane' },
  parse: () => ({}),
  apply(cluster) {
    cluster.loseControlPlane();
  },
} satisfies ScenarioActionDef<'lose-control-plane', object>;
