import { planFromFix } from '../plan';
import type { Severity } from '../read';
import type { Rule } from '../types';

export const loopWithoutSleep: Rule = {
  id: 'loop-without-sleep',
  title: 'API calls in a loop without a sleep',
  severity: 'error',
  why: 'A shell loop that calls kubectl or the API without sleeping sends requests back to back, as fast as the API server answers; kubectl also retries 429s about ten times.',
  remediation: 'Sleep between iterations (and make the interval as long as the data allows), or use `kubectl get -w` / an informer.',
  fix: { kind: 'edit-config', title: 'Sleep between iterations', where: 'the loop body', insert: 'sleep 60' },
  check(ctx) {
    return ctx.usage.hotLoops.map((e) => ({ severity: 'error' as Severity, line: e.line, file: e.file, message: `loop makes API calls with no sleep (estimated as one per second per client): ${e.detail}`, evidence: [e] }));
  },
  planFixes: planFromFix,
};
