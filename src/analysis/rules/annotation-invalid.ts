import { planFromFix } from '../plan';
import type { RuleInfo } from '../types';

/** Findings that come from reading the annotation, not from a check (analyze.ts reports them). */
export const annotationInvalid: RuleInfo = {
  id: 'annotation-invalid',
  title: 'breakglass.dev/api-calls annotation is not valid',
  severity: 'error',
  why: 'The declared contract is the most trusted evidence; a malformed one is ignored, and the workload is judged from weaker evidence.',
  remediation: 'Write it as a YAML list of {verb, resource, scope: cluster|namespace|node, interval, resourceVersion}.',
  fix: { kind: 'replace-value', title: 'Fix the annotation', where: 'metadata.annotations["breakglass.dev/api-calls"]', insert: '- {verb: list, resource: pods, scope: node, interval: 60s, resourceVersion: "0"}' },
  planFixes: planFromFix,
};
