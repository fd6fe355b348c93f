import { largestProfile } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';

export const fanoutUndersized: Rule = {
  id: 'fanout-undersized',
  title: 'Fan-out proxy has too few replicas for the largest cluster',
  severity: 'info',
  why: 'Calico recommends one Typha replica per 100–200 nodes; a single replica serving thousands of Felix agents is a bottleneck and, when it restarts, every agent resyncs through the remaining ones.',
  remediation: 'Scale calico-typha with the cluster (one replica per 100–200 nodes, at least 3 in production).',
  fix: { kind: 'set-field', title: 'Raise replicas', where: 'spec.replicas of the Deployment', insert: 'replicas: 3' },
  check(ctx) {
    const w = ctx.workload;
    const replicas = w.clients;
    if (!ctx.usage.hints.some((h) => h.rule === 'fanout-undersized') || typeof replicas !== 'number') return [];
    const short = ctx.profiles.filter((p) => replicas < Math.ceil(p.nodes / 200));
    if (!short.length) return [];
    const p = largestProfile(short);
    return [{ severity: 'info', line: w.line, message: `${w.name} has ${w.clients} replica(s); ${p.name} (${p.nodes.toLocaleString('en-US')} nodes) needs ${Math.ceil(p.nodes / 200)}–${Math.ceil(p.nodes / 100)} (one per 100–200 nodes)`, profiles: short.map((x) => x.name) }];
  },
  planFixes: planFromFix,
};
