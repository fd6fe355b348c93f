// `kill-apiserver`: kills replicas that are up; they restart on their own. A facilitator kills one.
import type { ScenarioActionDef } from './action';

export const killApiserver = {
  name: 'kill-apiserver',
  title: 'Kill an API-server replica',
  usage: 'kill-apiserver',
  fields: ['replicas'],
  inject: { params: [], panelRow: 'control-plane' },
  parse: (f) => ({ replicas: f.num('replicas', 1, 1, 50) }),
  apply(cluster, spec) {
    cluster.killApiServers(spec.replicas);
  },
} satisfies ScenarioActionDef<'kill-apiserver', { replicas: number }>;
