import { sdAgent } from './prometheus-sd';

export const promtail = sdAgent(
  'promtail',
  'promtail',
  /(^|\/)promtail(:|@|$)/i,
  'Discovers its targets with kubernetes_sd_configs: without `namespaces` or a spec.nodeName field `selectors` every agent watches pods of every namespace cluster-wide; relabelling to its own host happens after discovery.',
  ['grafana/loki docs/sources/send-data/promtail/configuration.md: promtail uses the Prometheus scrape_configs syntax, including kubernetes_sd_configs'],
);
