// The registry of step kinds. A fenced block whose language a kind claims is a step of that kind;
// the parser, the run session and the renderer look kinds up here and know nothing kind-specific.
// A new kind is a file of this folder, added to BY_KIND (and its name to StepKind in model.ts).
import type { Step, StepKind } from '../model';
import { breakglass } from './breakglass';
import { check } from './check';
import { health } from './health';
import { shell } from './shell';
import type { StepKindDef } from './types';

export type { ActTarget, AttrSpec, AttrType, BodyProblem, RenderContext, RunSituation, StepKindDef, StepRun } from './types';
export type { CheckSpec } from './check';
export { COMMON_ATTRS, RUNME_ATTRS, RUNME_ATTR_NOTES, RUNME_FRONT_MATTER_NOTES, RUNME_ONLY_ATTRS, RUNME_RUN_LANGUAGES, checkAttr } from './common';

/** Every kind, by its name: the type makes each StepKind have one. */
const BY_KIND: { readonly [K in StepKind]: StepKindDef<K> } = { shell, health, breakglass, check };

/** Every kind. */
export const STEP_KINDS: readonly StepKindDef[] = Object.values(BY_KIND);

const BY_LANG = new Map<string, StepKindDef>();
for (const k of STEP_KINDS) {
  for (const l of k.languages) {
    // Two kinds claiming one language would make which one wins depend on this loop's order.
    if (BY_LANG.has(l)) throw new Error(`fence language '${l}' is claimed by the step kinds ${BY_LANG.get(l)!.kind} and ${k.kind}`);
    BY_LANG.set(l, k);
  }
}

/** The kind a fence language makes, or undefined for a plain code block. */
export function kindForLang(lang: string): StepKindDef | undefined {
  return BY_LANG.get(lang.toLowerCase());
}

/** A kind's definition. */
export function kindOf(kind: StepKind): StepKindDef {
  return BY_KIND[kind];
}

/** The definition of a step's kind. */
export function kindOfStep(step: Step): StepKindDef {
  return BY_KIND[step.kind];
}
