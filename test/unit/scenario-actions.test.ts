// The scenario-action registry (src/sim/actions): one file per action, listed once; every action
// has a case here that schedules it in a scenario file and sees its effect on the model; names
// are unique; the parser names the known actions when one is unknown; the panel's message check
// and the terminal's `inject` take the injectable ones from the same list; and the folder stays
// light (the extension and the webviews import it without the model).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectableActions, INJECT_PARAMS, SCENARIO_ACTIONS, scenarioAction, type ScenarioActionName } from '../../src/sim/actions';
import { ScenarioError, parseScenario } from '../../src/sim/scenario';
import { Simulation } from '../../src/sim/simulation';
import { parseInjection } from '../../src/cli/tabletop';
import { parseTabletopToHost } from '../../src/views/messages/tabletop';
import { INJECTION_TITLES } from '../../src/views/tabletopView';

const ACTIONS_DIR = join(__dirname, '../../../src/sim/actions');

const scenario = (events: string, extra = '') => `name: actions
seed: 3
duration: 30m
clusters:
  - {name: east, nodes: 200, apiServerReplicas: 3}
workloads:
  - name: agent
    namespace: monitoring
    rollout: 10s
    calls:
      - {verb: list, resource: pods, scope: node, interval: 60s}
${extra}events:
${events}`;

/**
 * One case per action: its event's own fields in a scenario file, and the model event kind its
 * apply emits. A Record over the registry's names: an action without a case does not compile.
 */
const CASES: Record<ScenarioActionName, { fields: string; emits: string; before?: string }> = {
  'kill-apiserver': { fields: 'replicas: 2', emits: 'apiserver-down' },
  'lose-control-plane': { fields: '', emits: 'control-plane-lost' },
  'restore-control-plane': { fields: '', emits: 'control-plane-restoring', before: 'lose-control-plane' },
  'lose-dns': { fields: '', emits: 'dns-lost' },
  'restore-dns': { fields: '', emits: 'dns-restored', before: 'lose-dns' },
  'scale-apiserver': { fields: 'replicas: 5', emits: 'apiserver-scaled' },
  'block-client': { fields: 'namespace: monitoring, name: agent', emits: 'client-blocked' },
  'unblock-client': { fields: 'namespace: monitoring, name: agent', emits: 'client-unblocked' },
  'stop-agents': { fields: 'namespace: monitoring, name: agent', emits: 'agents-stopped' },
  deploy: { fields: 'workload: {name: second, namespace: tools, kind: Deployment, replicas: 2, calls: []}', emits: 'workload-deployed' },
  'slow-etcd': { fields: 'latency: 250ms, duration: 2m', emits: 'etcd-slow' },
  'delete-workload': { fields: 'namespace: monitoring, name: agent', emits: 'workload-deleted' },
  'scale-nodes': { fields: 'nodes: 300', emits: 'nodes-scaled' },
};

describe('scenario-action registry', () => {
  it('lists each action once, under a unique name, with a title, usage and its fields', () => {
    const names = SCENARIO_ACTIONS.map((a) => a.name);
    assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(', ')}`);
    const titles = SCENARIO_ACTIONS.map((a) => a.title);
    assert.equal(new Set(titles).size, titles.length, 'duplicate titles');
    for (const a of SCENARIO_ACTIONS) {
      assert.match(a.name, /^[a-z]+(-[a-z]+)*$/, a.name);
      assert.ok(a.title.length > 3 && a.usage.length > 3, a.name);
      for (const f of a.fields) assert.ok(!['at', 'action', 'cluster', 'clusters'].includes(f), `${a.name}: '${f}' is a field of every event`);
      assert.equal(scenarioAction(a.name), a);
    }
    assert.equal(scenarioAction('explode'), undefined);
  });

  it('has a file per action, each registered, and a case here for each', () => {
    const files = readdirSync(ACTIONS_DIR).filter((f) => f.endsWith('.ts') && !['index.ts', 'action.ts', 'params.ts'].includes(f));
    assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')).sort(), SCENARIO_ACTIONS.map((a) => a.name).sort(), 'one file per action, named after it');
    assert.deepEqual(Object.keys(CASES).sort(), SCENARIO_ACTIONS.map((a) => a.name).sort());
  });

  it('stays light: its files import the model, the scenario parser and YAML for types only', () => {
    for (const f of readdirSync(ACTIONS_DIR).filter((x) => x.endsWith('.ts'))) {
      const src = readFileSync(join(ACTIONS_DIR, f), 'utf8');
      for (const m of src.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
        if (m[1]) continue;
        const from = m[2];
        assert.ok(from.startsWith('./') || from.startsWith('../../common/'), `${f} imports ${from} at run time`);
      }
    }
  });

  for (const a of SCENARIO_ACTIONS) {
    it(`${a.name}: parses from a scenario file and acts on the model`, () => {
      const c = CASES[a.name];
      const before = c.before ? `  - {at: 30s, action: ${c.before}}\n` : '';
      const yaml = scenario(`${before}  - {at: 1m, action: ${a.name}${c.fields ? `, ${c.fields}` : ''}}\n`);
      const s = parseScenario(yaml, 'a.yaml');
      const e = s.events.find((x) => x.spec.action === a.name);
      assert.ok(e, `the ${a.name} event is parsed`);
      assert.deepEqual(e.clusters, ['east']);
      const sim = new Simulation(s);
      sim.run(2 * 60);
      const applied = sim.events.filter((x) => x.kind === c.emits && x.t >= 60);
      assert.ok(applied.length > 0, `${a.name} applied at T+1m emits ${c.emits}: ${JSON.stringify(sim.events.map((x) => `${x.t} ${x.kind}`))}`);
    });
  }

  it('a field another action has is refused, with the fields this one knows', () => {
    try {
      parseScenario(scenario('  - {at: 1m, action: lose-dns, replicas: 2}\n'), 'a.yaml');
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof ScenarioError);
      assert.match(e.message, /^a\.yaml:\d+: events\[0\]: unknown field 'replicas' \(known: at, action, cluster, clusters\)$/m);
    }
  });

  it('the parser refuses an unknown action with its line and the list of known ones', () => {
    const yaml = scenario('  - {at: 1m, action: lose-dns}\n  - {at: 2m, action: explode}\n');
    const line = yaml.split('\n').findIndex((l) => l.includes('explode')) + 1;
    try {
      parseScenario(yaml, 'a.yaml');
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof ScenarioError);
      const p = e.problems.find((x) => /action must be one of/.test(x.message));
      assert.ok(p, e.message);
      assert.equal(p.line, line);
      for (const a of SCENARIO_ACTIONS) assert.ok(p.message.includes(a.name), `${a.name} is listed: ${p.message}`);
      assert.match(p.message, /\(got "explode"\)/);
    }
  });

  it('the panel and the terminal offer the injectable actions of the registry', () => {
    const panel = injectableActions('panel').map((a) => a.name);
    const terminal = injectableActions('terminal').map((a) => a.name);
    assert.ok(panel.length > 0 && panel.every((n) => terminal.includes(n)), 'every panel action is on the terminal too');
    assert.ok(panel.includes('slow-etcd') && terminal.includes('slow-etcd'));
    assert.deepEqual(Object.keys(INJECTION_TITLES), panel, 'a button title per panel action, in order');
    for (const a of SCENARIO_ACTIONS) {
      // The page may post a panel action only; an action without a panel row is refused.
      const ok = parseTabletopToHost({ type: 'ttInject', action: a.name, cluster: 'east', replicas: 3, namespace: 'monitoring', name: 'agent', latency: '200ms' });
      assert.equal(ok !== undefined, panel.includes(a.name as never), a.name);
    }
    // What the terminal takes is what its usage says: the name (or alias), then a word per parameter.
    for (const a of injectableActions('terminal')) assert.equal(a.usage, [a.inject?.alias ?? a.name, ...(a.inject?.params ?? []).map((p) => INJECT_PARAMS[p].word)].join(' '));
    const usage = parseInjection(['explode'], ['east']) as string;
    for (const a of injectableActions('terminal')) assert.ok(usage.includes(a.usage), `the terminal's usage names ${a.usage}: ${usage}`);
  });
});
