import type { Agent } from './types';
import { result } from './util';

/** Exporters that read the host only: node-exporter itself makes no API calls; kube-rbac-proxy authenticates scrapes. */
export const hostOnly: Agent = {
  id: 'no-api',
  name: 'host-only exporter',
  category: 'metrics',
  summary: "Host exporters (node-exporter, dcgm-exporter, process-exporter) read the host only; kube-rbac-proxy makes a TokenReview/SubjectAccessReview per scrape.",
  sources: [
    "prometheus-operator/kube-prometheus manifests/nodeExporter-clusterRole.yaml: the only rules are create on tokenreviews and subjectaccessreviews (kube-rbac-proxy)",
  ],
  image: /node-exporter|kube-rbac-proxy|dcgm-exporter|process-exporter/i,
  infer(ctx) {
    const r = result(ctx);
    r.notes.push(`${ctx.container.image}: reads the host, no list/watch${/kube-rbac-proxy/.test(ctx.container.image) ? ' (TokenReview/SubjectAccessReview per scrape, not counted)' : ''}`);
    return r;
  },
};
