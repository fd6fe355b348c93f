// pods/log and pods/exec. Logs are made from what the model knows now, not stored:
//   - a pod of a scenario workload logs its API calls (from its usage spec) with the request
//     rate, p99 latency and 429s the model gives its client population at this moment; the share
//     rejected is its priority level's rejections over the workload's offered rate (an
//     approximation: the workload is taken to be most of its level's load);
//   - a CoreDNS pod logs SERVFAILs once its cache expired while its watch is broken (the model's
//     DNS success ratio);
//   - any other pod says in one line that its logs are not simulated.
// exec (and attach, port-forward) is refused with a Status, since nothing runs in these pods.
import { classify } from '../../model/cluster';
import type { ClusterSnapshot, WorkloadSpec } from '../../types';
import type { Json } from '../simObject';

/** The Status for exec, attach and portforward of an existing pod. */
export function execRefused(sub: string): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${sub} is not simulated by breakglass sim serve: use the break-glass node-exec action`,
    reason: 'BadRequest',
    code: 400,
  };
}

const LINES = 8;

/** The log text of pod `ns/name` at simulated time `now` (`iso` formats a simulated time). */
export function podLog(ns: string, name: string, workloads: WorkloadSpec[], s: ClusterSnapshot, iso: (t: number) => string): string {
  const w = workloads.find((x) => x.namespace === ns && name.startsWith(`${x.name}-`));
  if (w) return workloadLog(w, s, iso);
  if (ns === 'kube-system' && name.startsWith('coredns-')) return corednsLog(s, iso);
  return `breakglass sim serve: the logs of ${ns}/${name} are not simulated (only the scenario's workloads and CoreDNS log)\n`;
}

function workloadLog(w: WorkloadSpec, s: ClusterSnapshot, iso: (t: number) => string): string {
  const key = `${w.namespace}/${w.name}`;
  const load = s.workloadLoad[key];
  const pods = Math.max(1, s.workloadPods[key] ?? 1);
  const user = w.identity === 'node' ? 'system:node:x' : `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;
  const level = w.usage.priorityLevel ?? classify(user, w.identity === 'node' ? ['system:nodes'] : ['system:serviceaccounts']).level;
  const pl = s.priorityLevels[level];
  const offered = load?.requestsPerSecond ?? 0;
  const rejectShare = offered > 0 && pl ? Math.min(1, pl.rejectedPerSecond / offered) : 0;
  const p99 = s.apiserver.readP99Seconds;
  const calls = w.usage.calls.filter((c) => c.verb === 'list' || c.verb === 'watch');
  const out: Array<[number, string]> = [];
  if (!calls.length) return `breakglass sim serve: ${key} makes no LIST or WATCH the model knows of\n`;
  for (let i = LINES - 1; i >= 0; i--) {
    const c = calls[i % calls.length];
    const every = c.intervalSeconds > 0 ? c.intervalSeconds : 60;
    const t = Math.max(0, s.t - Math.floor(i / calls.length) * every);
    const path = `/api/v1/${c.resource}${c.scope === 'node' ? '?fieldSelector=spec.nodeName%3D$(NODE_NAME)' : ''}`;
    // Every line is one of this pod's requests; the newest share of them were rejected.
    const rejected = i < Math.round(rejectShare * LINES);
    if (s.apiserver.replicasReady === 0) out.push([t, `${iso(t)} ERROR LIST ${path}: dial tcp: connect: connection refused`]);
    else if (rejected) out.push([t, `${iso(t)} WARN  LIST ${path}: 429 Too Many Requests (Retry-After 1s); ${(rejectShare * 100).toFixed(0)}% of ${w.name}'s requests rejected by API Priority and Fairness (${level})`]);
    else if (p99 >= 60) out.push([t, `${iso(t)} ERROR LIST ${path}: 504 Timeout: request did not complete within requested timeout (reads' p99 is past kube-apiserver's 60 s)`]);
    else out.push([t, `${iso(t)} INFO  LIST ${path}: 200 OK in ${formatSeconds(p99)} (p99 of reads now)`]);
  }
  out.sort((a, b) => a[0] - b[0]);
  const lines = out.map((l) => l[1]);
  lines.push(`${iso(s.t)} INFO  ${pods} pods of ${w.name} offer ${offered.toFixed(1)} requests/s; priority level ${level} rejects ${(pl?.rejectedPerSecond ?? 0).toFixed(1)}/s`);
  return `${lines.join('\n')}\n`;
}

function corednsLog(s: ClusterSnapshot, iso: (t: number) => string): string {
  const out = ['.:53', 'CoreDNS-1.11.3', 'linux/amd64, go1.21.11, a6338e9'];
  if (!s.dns.watchHealthy) out.push(`${iso(s.t)} [ERROR] plugin/kubernetes: pkg/mod/k8s.io/client-go/tools/cache/reflector.go: Failed to watch *v1.EndpointSlice: the server has received too many requests and has asked us to try again later`);
  const fail = 1 - s.dns.successRatio;
  if (fail > 0.001) {
    const n = Math.max(1, Math.round(fail * LINES));
    for (let i = 0; i < n; i++) out.push(`${iso(s.t - (n - i))} [ERROR] plugin/errors: 2 api.payments.svc.cluster.local. A: SERVFAIL (cache expired, ${(fail * 100).toFixed(0)}% of lookups failing)`);
  } else out.push(`${iso(s.t)} [INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5`);
  return `${out.join('\n')}\n`;
}

function formatSeconds(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)}ms` : `${s.toFixed(1)}s`;
}
