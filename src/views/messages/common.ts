// What the messages of every Breakglass page share: step ids, texts, counts, step states, and the
// intents any page may post (ready, open an http(s) link).
import { isOpenableLink } from '../../runbook/links';
import type { StepState } from '../../runbook/model';
import { number, object, oneOf, string, validator } from './validate';

/** A step id (the runbook's own, or made from its heading); also a health panel's id. */
export const STEP_ID = /^[A-Za-z0-9][\w.~-]{0,199}$/;
export const stepId = string({ pattern: STEP_ID, what: 'a step id' });

/** Longest free text in a message (a summary, a reason, a notice). */
export const MAX_TEXT = 4096;
/** A text of at most `max` characters. */
export const text = (max = MAX_TEXT) => string({ max });

/** Any finite number. */
export const num = number();
/** A count of things (nodes, items, failures). */
export const count = number({ integer: true, min: 0, max: 1e9 });

export const STEP_STATES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const satisfies readonly StepState[];
export const stepState = oneOf(STEP_STATES);

/**
 * An http(s) link the extension may open (src/runbook/links.ts): in-page fragments never leave
 * the page, and any other scheme is not opened.
 */
export const openableLink = validator('an http(s) link', (v, path) => (isOpenableLink(v) ? { ok: true, value: v } : { ok: false, error: `${path}: expected an http(s) link` }));

/** Intents every page posts: it is ready for messages (it loaded, or loaded again); open a link. */
export const PAGE_TO_HOST = {
  ready: object({}),
  openLink: object({ href: openableLink }),
};
