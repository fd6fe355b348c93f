// The names of the break-glass actions, in the order they are offered. The runbook parser checks a
// step's `action:` against this list without loading the actions themselves; the registry
// (`registry.ts`) checks at load that every name here has exactly one action, in this order.
export const BREAKGLASS_ACTIONS = ['etcd-delete', 'node-exec', 'network-block', 'exempt-request', 'scale-apiserver'] as const;

export type BreakglassActionName = (typeof BREAKGLASS_ACTIONS)[number];
