import type { Agent } from './types';
import { result } from './util';

/**
 * Exporters that read the host only: node-exporter itself makes no API calls; kube-rbac-proxy
 * authenticates scrapes. cAdvisor has no Kubernetes client at all (its go.mod has no
 * k8s.io/client-go) and its manifest mounts no token; the kubelet's embedded cAdvisor is scraped
 * at the kubelet, not through the API server.
 */
export const hostOnly: Agent = {
  id: 'no-api',
  name: 'host-only exporter',
  category: 'metrics',
  summary: "Host exporters (node-exporter, cAdvisor, dcgm-exporter, process-exporter) read the host only; kube-rbac-proxy makes a TokenReview/SubjectAccessReview per scrape.",
  sources: [
    "prometheus-operator/kube-prometheus manifests/nodeExporter-clusterRole.yaml: the only rules are create on tokenreviews and subjectaccessreviews (kube-rbac-proxy)",
    "google/cadvisor go.mod@22fcbb6: no k8s.io/client-go (only k8s.io/klog/v2 and k8s.io/utils); deploy/kubernetes/base/daemonset.yaml@22fcbb6: automountServiceAccountToken: false; it reads cgroups, /sys and the container runtime of its host",
  ],
  image: /node-exporter|kube-rbac-proxy|dcgm-exporter|process-exporter|(^|\/)(google\/cadvisor|cadvisor\/cadvisor|cadvisor)[:@]/i,
  infer(ctx) {
    const r = result(ctx);
    r.notes.push(`${ctx.container.image}: reads the host, no list/watch${/kube-rbac-proxy/.test(ctx.container.image) ? ' (TokenReview/SubjectAccessReview per scrape, not counted)' : ''}`);
    return r;
  },
};
