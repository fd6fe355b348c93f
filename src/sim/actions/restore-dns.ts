// `restore-dns`: CoreDNS restarts with an empty cache and answers once its relist succeeds.
import type { ScenarioActionDef } from './action';

export const restoreDns = {
  name: 'restore-dns',
  title: 'Restore DNS',
  usage: 'restore-dns',
  fields: [],
  inject: { params: [], panelRow: 'dns' },
  parse: () => ({}),
  apply(cluster) {
    cluster.restoreDns();
  },
} satisfies ScenarioActionDef<'restore-dns', object>;
