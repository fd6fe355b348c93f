// Headless simulation speed and memory: 10,000 nodes for 4 h 22 m at 1-second steps
// (goal ≤ 1 s wall, ≤ 256 MB).
import { readFileSync } from 'node:fs';
import { parseScenario } from '../src/sim/scenario';
import { Simulation } from '../src/sim/simulation';
import { selectClusters } from '../src/cli/sim';

const file = 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml';
const scenario = selectClusters(parseScenario(readFileSync(file, 'utf8'), file), 'prod-east', 10_000);
const t0 = performance.now();
const result = new Simulation(scenario).run(4 * 3600 + 22 * 60, 1);
const wallMs = performance.now() - t0;
const json = JSON.stringify(result);
console.log(JSON.stringify({ bench: 'sim run 10,000 nodes, 4h22m, 1 s steps', goalMs: 1000, goalMB: 256, wallMs, steps: 15720, samples: result.samples.length, jsonBytes: json.length, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
