// The one place that writes kubeconfig files (client-go's clientcmd/api/v1 Config: clusters,
// contexts, users by name; current-context), for the simulated API server, the tabletop (one file
// for every cluster of an exercise) and the placeholder that reaches nothing. Written with the YAML
// library, so names and tokens need no escaping by hand.
import { yaml } from '../lazy';

/**
 * The mark of a kubeconfig for simulated clusters: a top-level extension (kubeconfig's
 * `extensions`, a list of `{name, extension}` that kubectl and client-go keep but do not act on:
 * k8s.io/client-go/tools/clientcmd/api/v1 NamedExtension).
 */
export const SIMULATED_EXTENSION = 'breakglass.dev/simulated';

export interface KubeconfigCluster {
  name: string;
  server: string;
  /** PEM of the CA that signed the server's certificate (certificate-authority-data). */
  caPem?: string;
}

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface KubeconfigUser {
  name: string;
  token: string;
}

export interface KubeconfigSpec {
  clusters: KubeconfigCluster[];
  contexts: KubeconfigContext[];
  users: KubeconfigUser[];
  currentContext: string;
  /** Marks the file as a simulated cluster's: the only kind of kubeconfig a SIMULATED run hands to steps. */
  simulated?: boolean;
  /** Comment lines at the top (without `#`). */
  comments?: string[];
}

/** The kubeconfig's YAML text. */
export function renderKubeconfig(k: KubeconfigSpec): string {
  const doc: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: k.clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, ...(c.caPem !== undefined ? { 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } : {}) },
    })),
    contexts: k.contexts.map((c) => ({ name: c.name, context: { cluster: c.cluster, user: c.user, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
    'current-context': k.currentContext,
    users: k.users.map((u) => ({ name: u.name, user: { token: u.token } })),
  };
  if (k.simulated) doc.extensions = [{ name: SIMULATED_EXTENSION, extension: { simulated: true } }];
  const head = (k.comments ?? []).map((c) => `# ${c}\n`).join('');
  return head + yaml().stringify(doc, { lineWidth: 0 });
}

/** Whether a parsed kubeconfig carries the mark of a simulated cluster's. */
export function isSimulatedDoc(doc: unknown): boolean {
  const ext = (doc as { extensions?: unknown } | null)?.extensions;
  return Array.isArray(ext) && ext.some((e) => (e as { name?: unknown } | null)?.name === SIMULATED_EXTENSION);
}
