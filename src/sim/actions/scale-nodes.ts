// `scale-nodes`: changes the node count; DaemonSets follow.
import type { ScenarioActionDef } from './action';

export const scaleNodes = {
  name: 'scale-nodes',
  title: 'Scale nodes',
  usage: 'scale-nodes: nodes',
  fields: ['nodes'],
  parse: (f) => ({ nodes: f.num('nodes', undefined, 1, 100_000) }),
  apply(cluster, spec) {
    cluster.scaleNodes(spec.nodes);
  },
} satisfies ScenarioActionDef<'scale-nodes', { nodes: number }>;
