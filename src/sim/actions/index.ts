// The scenario actions, in one list: scenario files, the simulation, the facilitator panel (its
// buttons, in this order, and the check of its messages) and the terminal's `inject` all go
// through it. A new action is a file of this folder, a line here and its test.
import { injectionFields, type ScenarioActionDef, type SpecOf } from './action';
import type { ScenarioWorkload } from '../scenarioTypes';
import { blockClient } from './block-client';
import { deleteWorkload } from './delete-workload';
import { deploy } from './deploy';
import { killApiserver } from './kill-apiserver';
import { loseControlPlane } from './lose-control-plane';
import { loseDns } from './lose-dns';
import { restoreControlPlane } from './restore-control-plane';
import { restoreDns } from './restore-dns';
import { scaleApiserver } from './scale-apiserver';
import { scaleNodes } from './scale-nodes';
import { slowEtcd } from './slow-etcd';
import { stopAgents } from './stop-agents';
import { unblockClient } from './unblock-client';

export type { ActionFields, InjectParam, ScenarioActionDef } from './action';
export { INJECT_PARAMS } from './params';

/** Every scenario action. Injectable ones are offered in this order (panel rows, terminal usage). */
export const SCENARIO_ACTIONS = [
  killApiserver,
  loseControlPlane,
  restoreControlPlane,
  loseDns,
  restoreDns,
  scaleApiserver,
  blockClient,
  unblockClient,
  stopAgents,
  deploy,
  slowEtcd,
  deleteWorkload,
  scaleNodes,
] as const;

type Registered = (typeof SCENARIO_ACTIONS)[number];

/** One scheduled or injected action: `{ action: name, ...its fields }`. */
export type ScenarioAction = SpecOf<Registered>;
export type ScenarioActionName = Registered['name'];

/** The names of the actions offered on the facilitator panel. */
export type PanelActionName = Extract<Registered, { inject: { panelRow: string } }>['name'];

/** The action of that name (scenario files, messages and the terminal name them), or undefined. */
export function scenarioAction(name: string): ScenarioActionDef | undefined {
  return (SCENARIO_ACTIONS as readonly ScenarioActionDef[]).find((a) => a.name === name);
}

/** The actions a facilitator may inject: on the terminal all of them, on the panel those with a row. */
export function injectableActions(where: 'panel' | 'terminal'): ScenarioActionDef[] {
  return (SCENARIO_ACTIONS as readonly ScenarioActionDef[]).filter((a) => a.inject && (where === 'terminal' || a.inject.panelRow !== undefined));
}

/**
 * The action a facilitator injects, from its fields (a panel message's, the terminal's words):
 * the action, or the first problem in words. `workloads` are the scenario's (a deploy names one).
 */
export function injectedAction(name: string, values: Readonly<Record<string, unknown>>, workloads: readonly ScenarioWorkload[]): ScenarioAction | string {
  const def = scenarioAction(name);
  if (!def?.inject) return `'${name}' is not an action a facilitator can inject`;
  const f = injectionFields(values, workloads);
  const spec = def.parse(f);
  if (f.problems.length || !spec) return f.problems[0] ?? def.usage;
  return { action: def.name, ...spec } as ScenarioAction;
}
