// `scale-apiserver`: adds replicas (serving once started) or removes the last ones.
import type { ScenarioActionDef } from './action';

export const scaleApiserver = {
  name: 'scale-apiserver',
  title: 'Scale API servers',
  usage: 'scale-apiserver N',
  fields: ['replicas'],
  inject: { params: ['replicas'], panelRow: 'replicas' },
  parse: (f) => ({ replicas: f.num('replicas', undefined, 1, 50) }),
  apply(cluster, spec) {
    cluster.scaleApiServers(spec.replicas);
  },
} satisfies ScenarioActionDef<'scale-apiserver', { replicas: number }>;
