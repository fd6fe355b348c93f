import { describe } from '../format';
import { loadSeverity, phaseText, rank, worstPhase } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';

export const noOwnFlowSchema: Rule = {
  id: 'no-own-flowschema',
  title: 'Heavy API user without a FlowSchema of its own',
  severity: 'warning',
  why: 'With API Priority and Fairness every ServiceAccount lands in workload-low (kube-system ones in workload-high) beside every other controller. A heavy client there queues and starves everyone in the level; a FlowSchema of its own puts it in a level with its own seats, so when it misbehaves it hurts itself first.',
  remediation: 'Add a FlowSchema that matches its ServiceAccount and a PriorityLevelConfiguration with a bounded share (and queuing), so its load is isolated.',
  fix: {
    kind: 'add-objects',
    title: 'Add a FlowSchema and PriorityLevelConfiguration for this ServiceAccount',
    where: 'a new document in the same file',
    insert: `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata:
  name: <name>
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 10
    lendablePercent: 0
    limitResponse:
      type: Queue
      queuing: {queues: 16, handSize: 4, queueLengthLimit: 50}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: <name>
spec:
  priorityLevelConfiguration:
    name: <name>
  matchingPrecedence: 1000
  distinguisherMethod:
    type: ByUser
  rules:
    - subjects:
        - kind: ServiceAccount
          serviceAccount: {name: <serviceAccount>, namespace: <namespace>}
      resourceRules:
        - verbs: ["*"]
          apiGroups: ["*"]
          resources: ["*"]
          clusterScope: true
          namespaces: ["*"]`,
  },
  check(ctx) {
    if (ctx.usage.flowSchema || !ctx.usage.calls.length || ctx.usage.inherent) return [];
    const { phase, est } = worstPhase(ctx, ctx.usage.calls);
    const s = loadSeverity(est);
    if (!s.severity || rank(s.severity) < 2 || !s.worst) return [];
    const w = ctx.workload;
    const text = (noOwnFlowSchema.fix.insert ?? '').replace(/<name>/g, w.name).replace(/<serviceAccount>/g, w.serviceAccount).replace(/<namespace>/g, w.namespace);
    return [
      {
        severity: 'warning',
        line: w.serviceAccountLine,
        message: `${w.namespace}/${w.serviceAccount} has no FlowSchema of its own: its requests land in ${ctx.usage.priorityLevel} with everyone else's; ${phaseText(phase)} ${describe(s.worst)}`,
        estimates: est,
        profiles: s.profiles,
        phase,
        fix: { kind: 'add-objects', title: 'Add a FlowSchema and PriorityLevelConfiguration', file: w.file, afterLine: Number.MAX_SAFE_INTEGER, text: `---\n${text}\n` },
      },
    ];
  },
  planFixes: planFromFix,
};
