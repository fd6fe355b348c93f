// Quick fixes from a finding's concrete fix, by kind of edit: set a key on a line, insert the
// api-calls annotation, append objects, or set keys in an agent's configuration section. Rules
// use this as their planner and add their own edits where the change needs more (src/analysis/rules/).
import { Lines, blank, chunkAround, indentOf, insertAfterLine, keyColumn, pad, setOnLine } from './edit';
import type { Evidence } from './usage';
import type { FixInput, FixPlan, TextEdit } from './types';

/** A plan when every edit could be placed (a fix that is only partly possible is not offered). */
export function planOf(input: FixInput, title: string, edits: (TextEdit | undefined)[]): FixPlan[] {
  return edits.length && edits.every((x): x is TextEdit => !!x) ? [{ title, finding: input.finding, edits }] : [];
}

export interface FixOptions {
  /** set-field/replace-value: which declared calls of the finding (annotation evidence in this file) get the same `key: value`. */
  alsoOn?: (ev: Evidence, key: string) => boolean;
  /** set-field/replace-value: more edits that belong to the same change (0-based line of the fix). */
  moreEdits?: (L: Lines, line: number) => (TextEdit | undefined)[];
}

/** The quick fix of a finding's concrete fix (none when it has none in this file, or when it cannot be placed). */
export function planFromFix(input: FixInput, opts: FixOptions = {}): FixPlan[] {
  const { lines: L, path, finding: f } = input;
  const fix = f.fix;
  if (!fix || fix.file !== path) return [];
  const kv = /^([^:]+):\s*(.*)$/.exec(fix.text.trim());
  if ((fix.kind === 'replace-value' || fix.kind === 'set-field') && fix.line !== undefined && kv) {
    const [key, value] = [kv[1].trim(), kv[2].trim()];
    const lines = new Set([fix.line - 1]);
    for (const ev of f.evidence) if (ev.source === 'annotation' && ev.file === path && opts.alsoOn?.(ev, key)) lines.add(ev.line - 1);
    const edits = [...lines].map((l) => setOnLine(L, l, key, value));
    if (opts.moreEdits) edits.push(...opts.moreEdits(L, fix.line - 1));
    return planOf(input, fix.title, edits);
  }
  if (fix.kind === 'insert-annotation' && fix.afterLine !== undefined) return planOf(input, fix.title, [insertAnnotation(L, fix.afterLine - 1, fix.text, f.line - 1)]);
  if (fix.kind === 'add-objects') {
    const text = fix.text.replace(/\r?\n/g, L.eol);
    const endsWithBreak = /\n$/.test(L.text) || L.text === '';
    return planOf(input, fix.title, [{ start: L.text.length, end: L.text.length, newText: (endsWithBreak ? '' : L.eol) + text }]);
  }
  if (fix.kind === 'edit-config' && fix.afterLine !== undefined) return planOf(input, fix.title, editConfig(L, fix.afterLine - 1, fix.text));
  return [];
}

/** Inserts the breakglass.dev/api-calls annotation after `annotations:` (or adds `annotations:` under `metadata:`); none if the document has one. */
export function insertAnnotation(L: Lines, line: number, text: string, findingLine: number): TextEdit | undefined {
  const { start, end } = chunkAround(L, findingLine);
  for (let i = start; i < end; i++) if (/^\s*breakglass\.dev\/api-calls\s*:/.test(L.line(i))) return undefined;
  const s = L.line(line);
  const body = text.split(/\r?\n/);
  const ind = indentOf(s);
  if (/^\s*annotations:\s*(#.*)?$/.test(s)) return insertAfterLine(L, line, body.map((b) => pad(ind + 2) + b));
  const emptyFlow = /^(\s*annotations:)\s*\{\s*\}\s*(#.*)?$/.exec(s);
  if (emptyFlow) return { start: L.starts[line] + emptyFlow[1].length, end: L.end(line), newText: body.map((b) => L.eol + pad(ind + 2) + b).join('') };
  if (/^\s*metadata:\s*(#.*)?$/.test(s)) {
    // After metadata's last line (its name, namespace, labels…).
    let last = line;
    let child = ind + 2;
    for (let i = line + 1; i < L.count; i++) {
      const t = L.line(i);
      if (blank(t)) continue;
      if (indentOf(t) <= ind) break;
      if (last === line) child = indentOf(t);
      last = i;
    }
    return insertAfterLine(L, last, [`${pad(child)}annotations:`, ...body.map((b) => pad(child + 2) + b)]);
  }
  return undefined;
}

/** fluent-bit: sets the fix's `Key Value` lines in the [FILTER] section (classic) or as keys (YAML format). */
export function editConfig(L: Lines, line: number, text: string): (TextEdit | undefined)[] {
  const header = L.line(line);
  const hInd = indentOf(header);
  const pairs = text
    .split(/\r?\n/)
    .map((t) => /^\s*(\S+)\s+(.*)$/.exec(t))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ key: m[1], value: m[2].trim() }));
  if (!pairs.length) return [undefined];
  const classic = /^\s*\[[A-Za-z_ ]+\]\s*$/.test(header);
  const yamlStyle = /^\s*(?:-\s+)?name\s*:\s*["']?kubernetes["']?\s*$/i.test(header);
  if (!classic && !yamlStyle) return [undefined];
  // The section's lines.
  let last = line;
  const col = classic ? undefined : keyColumn(header);
  for (let i = line + 1; i < L.count; i++) {
    const s = L.line(i);
    if (s.trim() === '') {
      if (classic) continue;
      break;
    }
    if (classic ? /^\s*\[/.test(s) || indentOf(s) <= hInd : indentOf(s) < (col ?? 0) || /^\s*-/.test(s)) break;
    last = i;
  }
  let bodyInd = classic ? hInd + 4 : (col ?? 0);
  if (classic && last > line) bodyInd = indentOf(L.line(line + 1)) > hInd ? indentOf(L.line(line + 1)) : bodyInd;
  const width = classic ? Math.max(20, ...pairs.map((p) => p.key.length + 1)) : 0;
  const render = (p: { key: string; value: string }) => (classic ? `${pad(bodyInd)}${p.key.padEnd(width)}${p.value}` : `${pad(bodyInd)}${p.key.toLowerCase()}: ${/^(on|true)$/i.test(p.value) ? 'on' : p.value}`);
  const edits: TextEdit[] = [];
  const missing: string[] = [];
  for (const p of pairs) {
    let found = -1;
    for (let i = line + 1; i <= last; i++) {
      const k = classic ? /^\s*(\S+)/.exec(L.line(i))?.[1] : /^\s*([^:\s]+)\s*:/.exec(L.line(i))?.[1];
      if (k && k.toLowerCase() === p.key.toLowerCase()) found = i;
    }
    if (found >= 0) edits.push({ start: L.starts[found], end: L.end(found), newText: render(p) });
    else missing.push(render(p));
  }
  if (missing.length) edits.push(insertAfterLine(L, line, missing));
  return edits;
}
