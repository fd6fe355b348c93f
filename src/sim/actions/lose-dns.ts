// `lose-dns`: every CoreDNS replica down, no cluster name resolves.
import type { ScenarioActionDef } from './action';

export const loseDns = {
  name: 'lose-dns',
  title: 'Lose DNS (CoreDNS down)',
  usage: 'lose-dns',
  fields: [],
  inject: { params: [], panelRow: 'dns' },
  parse: () => ({}),
  apply(cluster) {
    cluster.loseDns();
  },
} satisfies ScenarioActionDef<'lose-dns', object>;
