// The kubeconfig the simulated API server writes: one cluster, two contexts. `sim` is an
// ordinary user whose requests go through API Priority and Fairness like anyone's;
// `sim-breakglass` is in group system:masters, which the default FlowSchema `exempt` puts in the
// exempt priority level. Both authenticate with a bearer token made at server start.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { simulatedMarkLines } from '../../runbook/target';
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

/** YAML text of the kubeconfig (names are quoted; nothing in it needs escaping beyond that). */
export function renderKubeconfig(k: KubeconfigInput): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'apiVersion: v1',
    'kind: Config',
    'preferences: {}',
    'clusters:',
    `- name: ${q(k.clusterName)}`,
    '  cluster:',
    `    server: ${q(k.server)}`,
    `    certificate-authority-data: ${Buffer.from(k.caPem).toString('base64')}`,
    'contexts:',
    `- name: ${SIM_CONTEXT}`,
    '  context:',
    `    cluster: ${q(k.clusterName)}`,
    '    user: sim-user',
    '    namespace: default',
    `- name: ${BREAKGLASS_CONTEXT}`,
    '  context:',
    `    cluster: ${q(k.clusterName)}`,
    '    user: sim-breakglass',
    '    namespace: default',
    `current-context: ${SIM_CONTEXT}`,
    'users:',
    '- name: sim-user',
    '  user:',
    `    token: ${q(k.userToken)}`,
    '- name: sim-breakglass',
    '  user:',
    `    token: ${q(k.breakglassToken)}`,
    // Marks it as a simulated cluster's: the only kind of kubeconfig a SIMULATED run hands to steps.
    ...simulatedMarkLines(),
    '',
  ].join('\n');
}

/** Writes the kubeconfig with mode 0600 (also when the file already existed). */
export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderKubeconfig(k), { mode: 0o600 });
  chmodSync(path, 0o600);
}
