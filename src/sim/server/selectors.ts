// Field selectors with the syntax and error messages of k8s.io/apimachinery (pkg/fields/selector.go);
// label selectors are in src/common/labels.ts (pkg/labels/selector.go).
import { SelectorError } from '../../common/labels';

export { SelectorError, parseLabelSelector, matchLabels, type LabelRequirement } from '../../common/labels';

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(s: string | undefined, supported: readonly string[]): FieldRequirement[] {
  if (!s) return [];
  return s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
      if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
      if (!supported.includes(m[1])) throw new SelectorError(`field label not supported: ${m[1]}`);
      return { field: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] } as FieldRequirement;
    });
}

export function matchFields(reqs: FieldRequirement[], field: (name: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = field(r.field) ?? '';
    if ((r.op === 'eq') !== (v === r.value)) return false;
  }
  return true;
}

/** The value an equality requirement pins a field to, if any. */
export function pinnedField(reqs: FieldRequirement[], field: string): string | undefined {
  return reqs.find((r) => r.field === field && r.op === 'eq')?.value;
}

/** `app=x,tier=y` for a label map (the Selector column of Tables). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  if (!labels || !Object.keys(labels).length) return '<none>';
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
