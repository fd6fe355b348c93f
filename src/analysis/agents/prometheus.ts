import { sdAgent } from './prometheus-sd';

export const prometheus = sdAgent(
  'prometheus',
  'Prometheus',
  /(^|\/)prometheus(:|@|$)/i,
  'Each kubernetes_sd_configs role is an informer: pods/endpoints/endpointslices/services/nodes of every namespace unless `namespaces` or `selectors` narrow it.',
  [],
);
