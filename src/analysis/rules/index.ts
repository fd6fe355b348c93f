// The rule registry: one file per rule in this folder, each exporting one object (id, title,
// why, remediation, severity, its check and its fix planner), and registered here only. The
// docs (`breakglass lint --list-rules`, docs/RULES.md), SARIF's tool.driver.rules, the editor's
// diagnostics, rule pages and quick fixes, and `breakglass lint --fix` all read this list.
import type { Rule, RuleInfo } from '../types';
import { annotationInvalid } from './annotation-invalid';
import { clientQpsHigh } from './client-qps-high';
import { daemonsetRolloutUnthrottled } from './daemonset-rollout-unthrottled';
import { fanoutProxy } from './fanout-proxy';
import { fanoutUndersized } from './fanout-undersized';
import { listFromEtcd } from './list-from-etcd';
import { loopWithoutSleep } from './loop-without-sleep';
import { noOwnFlowSchema } from './no-own-flowschema';
import { nodeLocalSource } from './node-local-source';
import { perNodeClusterList } from './per-node-cluster-list';
import { rbacBroaderThanUsage } from './rbac-broader-than-usage';
import { rbacUndeclared } from './rbac-undeclared';
import { replicasWithoutLeaderElection } from './replicas-without-leader-election';

/** The rules checked on every workload, in the order they run (and are documented). */
export const RULES: Rule[] = [
  perNodeClusterList,
  listFromEtcd,
  daemonsetRolloutUnthrottled,
  noOwnFlowSchema,
  replicasWithoutLeaderElection,
  clientQpsHigh,
  rbacUndeclared,
  rbacBroaderThanUsage,
  nodeLocalSource,
  fanoutProxy,
  fanoutUndersized,
  loopWithoutSleep,
];

/** Findings that come from reading, not from a rule's check (listed for docs and SARIF). */
export const ANNOTATION_RULE: RuleInfo = annotationInvalid;

export function ruleById(id: string): RuleInfo | undefined {
  return RULES.find((r) => r.id === id) ?? (id === ANNOTATION_RULE.id ? ANNOTATION_RULE : undefined);
}

export function allRules(): RuleInfo[] {
  return [...RULES, ANNOTATION_RULE];
}
