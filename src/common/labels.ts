// Kubernetes label selectors with the syntax and error messages of k8s.io/apimachinery
// (pkg/labels/selector.go): parsed from `?labelSelector=` by the simulated API server, and matched
// there and wherever labels are compared (Prometheus samples by their labels, too).

export type LabelRequirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class SelectorError extends Error {}

/** Splits at commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(k: string, whole: string): string {
  if (!KEY.test(k)) throw new SelectorError(`unable to parse requirement: invalid label key "${k}" in "${whole}"`);
  return k;
}

function checkValue(v: string, whole: string): string {
  if (!VALUE.test(v) || v.length > 63) throw new SelectorError(`unable to parse requirement: invalid label value: "${v}" in "${whole}"`);
  return v;
}

export function parseLabelSelector(s: string | undefined): LabelRequirement[] {
  if (!s) return [];
  return splitTop(s).map((part): LabelRequirement => {
    let m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (m) {
      const values = m[3].split(',').map((v) => checkValue(v.trim(), part));
      return { key: checkKey(m[1], part), op: m[2] as 'in' | 'notin', values };
    }
    m = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (m) return { key: checkKey(m[1], part), op: m[2] === '!=' ? 'neq' : 'eq', value: checkValue(m[3].trim(), part) };
    m = /^!\s*(\S+)$/.exec(part);
    if (m) return { key: checkKey(m[1], part), op: 'notexists' };
    if (/^\S+$/.test(part)) return { key: checkKey(part, part), op: 'exists' };
    throw new SelectorError(`unable to parse requirement: found '${part}', expected: !, identifier, or 'end of string'`);
  });
}

export function matchLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        if (v !== r.value) return false;
        break;
      case 'neq':
        if (v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case 'notexists':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

/** Requirements that every label in `want` has exactly its value (a matchLabels map, or none). */
export function equalityRequirements(want: Record<string, string> | undefined): LabelRequirement[] {
  return Object.entries(want ?? {}).map(([key, value]) => ({ key, op: 'eq', value }));
}
