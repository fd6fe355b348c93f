// `sim run` of the seed scenario's largest cluster at 10,000 nodes for 4 h 22 m in 1-second steps,
// with the controllers at work: at T+10 min a nodeSelector that matches no node is written to the
// telemetry DaemonSet (as `kubectl patch` through the exempt context does), so the daemon set
// controller empties it as fast as the saturated control plane serves it. bench/sim-run-compare.mjs
// runs it beside another commit's bench/sim-run.ts (the same run without the write).
import { readFileSync } from 'node:fs';
import { parseScenario } from '../src/sim/scenario';
import { Simulation } from '../src/sim/simulation';
import { selectClusters } from '../src/cli/sim';

const file = 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml';
const scenario = selectClusters(parseScenario(readFileSync(file, 'utf8'), file), 'prod-east', 10_000);
const t0 = performance.now();
const sim = new Simulation(scenario);
const cluster = sim.clusters[0];
let patched = false;
sim.onStep((t) => {
  if (patched || t < 600) return;
  patched = cluster.applyWorkload({
    namespace: 'monitoring',
    name: 'telemetry-agent',
    kind: 'DaemonSet',
    pods: 0,
    image: 'telemetry-agent',
    labels: { app: 'telemetry-agent' },
    serviceAccount: 'telemetry-agent',
    change: 'nodeSelector kubernetes.io/os=none: 0 of 10000 nodes',
  });
});
const result = sim.run(4 * 3600 + 22 * 60, 1);
const wallMs = performance.now() - t0;
const agents = cluster.snapshot().workloadPods?.['monitoring/telemetry-agent'] ?? 0;
console.log(JSON.stringify({ bench: 'sim run 10,000 nodes, 4h22m, 1 s steps, nodeSelector patch at T+10m', wallMs, patched, agentsLeft: agents, samples: result.samples.length, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
