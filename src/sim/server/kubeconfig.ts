// The kubeconfig the simulated API server writes: one cluster, two contexts. `sim` is an
// ordinary user whose requests go through API Priority and Fairness like anyone's;
// `sim-breakglass` is in group system:masters, which the default FlowSchema `exempt` puts in the
// exempt priority level. Both authenticate with a bearer token made at server start.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig';
import { breakglassContextOf } from '../../cluster/breakglass-context';

export interface KubeconfigInput {
  clusterName: string;
  server: string;
  caPem: string;
  userToken: string;
  breakglassToken: string;
}

export const SIM_CONTEXT = 'sim';
export const BREAKGLASS_CONTEXT = breakglassContextOf(SIM_CONTEXT);

/** YAML text of the kubeconfig. */
export function renderSimKubeconfig(k: KubeconfigInput): string {
  return renderKubeconfig({
    clusters: [{ name: k.clusterName, server: k.server, caPem: k.caPem }],
    contexts: [
      { name: SIM_CONTEXT, cluster: k.clusterName, user: 'sim-user', namespace: 'default' },
      { name: BREAKGLASS_CONTEXT, cluster: k.clusterName, user: 'sim-breakglass', namespace: 'default' },
    ],
    currentContext: SIM_CONTEXT,
    users: [
      { name: 'sim-user', token: k.userToken },
      { name: 'sim-breakglass', token: k.breakglassToken },
    ],
    simulated: true,
  });
}

/** Writes the kubeconfig with mode 0600 (also when the file already existed). */
export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderSimKubeconfig(k), { mode: 0o600 });
  chmodSync(path, 0o600);
}
