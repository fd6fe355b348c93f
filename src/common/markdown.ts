// Text from journals (titles, parameters, step ids, reasons, names of clusters and scenarios, …)
// put into the after-action reports' markdown. A journal is a file anyone could have edited, and
// its text comes from runbooks, people and command output: in a report it must read as what it
// is, never as a link, an image, raw HTML, a table cell break or a new block.
//
// CommonMark 0.31.2 is the reference (https://spec.commonmark.org/0.31.2/): any ASCII punctuation
// character may be backslash-escaped (§2.4); entity references are decoded in text (§2.5); block
// structure is read line by line before inline content (Appendix "A parsing strategy"), so a line
// break inside a value could start a heading or an HTML block. GFM tables split cells on `|`
// unless it is escaped, also inside code spans (https://github.github.com/gfm/#tables-extension-).

/** Characters that open or close inline markdown or HTML wherever they are. */
const INLINE_SPECIAL = /[`*[\]<|~]/;

/**
 * Inline text: shown as written. Line breaks become spaces; characters that could start a link,
 * image, code span, emphasis, raw HTML, an autolink, an entity or a table cell are escaped, and a
 * leading block marker (`#`, `>`, `-`, `+`, `=`, `1.`) too, in case the text starts a line.
 */
export function mdText(value: unknown): string {
  const s = String(value ?? '').replace(/\r\n?|\n/g, ' ');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const next = s[i + 1];
    if (INLINE_SPECIAL.test(c)) out += `\\${c}`;
    // A backslash escapes the punctuation after it (or, at the end, what the report puts next).
    else if (c === '\\' && (next === undefined || /[!-/:-@[-`{-~]/.test(next))) out += '\\\\';
    // `&amp;`, `&#60;`: an entity reference would show as the character it names.
    else if (c === '&' && /^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/.test(s.slice(i))) out += '\\&';
    // `_` emphasises only at a word's edge (CommonMark §6.2): snake_case stays as it is.
    else if (c === '_' && !(/[A-Za-z0-9]/.test(s[i - 1] ?? '') && /[A-Za-z0-9]/.test(next ?? ''))) out += '\\_';
    else out += c;
  }
  // A block marker at the start: a heading, a quote, a list item, a thematic break or setext line.
  return out.replace(/^(\s*)([#>+=-])/, '$1\\$2').replace(/^(\s*\d{1,9})([.)])/, '$1\\$2');
}

/**
 * A code span (identifiers, paths, `KEY=value`): the content is literal, so only the backtick
 * fence (longer than any run of backticks inside), line breaks and, in a table cell, `|` matter.
 */
export function mdCode(value: unknown, opts: { cell?: boolean } = {}): string {
  let s = String(value ?? '').replace(/\r\n?|\n/g, ' ');
  if (s === '') return '';
  if (opts.cell) s = s.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  // One space each side is stripped when both are there (CommonMark §6.1): pad when the content
  // starts or ends with a backtick, or is itself wrapped in spaces.
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '') ? ' ' : '';
  return `${f}${pad}${s}${pad}${f}`;
}

/**
 * A fenced code block (commands, output): a backtick fence longer than any backtick run in the
 * text, so nothing inside can close it. Lone carriage returns (progress bars) are line breaks in
 * CommonMark; they become `\n` so that every line gets the caller's indentation.
 */
export function mdFence(text: string, info = 'text'): string {
  const body = String(text).replace(/\r\n?/g, '\n').replace(/\n$/, '');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${info}\n${body}\n${f}`;
}

/**
 * A link destination that is a relative file name (the tabletop chart): as it is when it has no
 * spaces, parentheses, angle brackets, backslashes or control characters, else in the `<…>` form
 * (CommonMark §6.3, link destinations); never read as a URL with a scheme.
 */
export function mdDestination(path: string): string {
  // `x:y.svg` would read as a URL with the scheme `x`: `./` keeps it a relative path.
  if (/^[^/]*:/.test(path)) path = `./${path}`;
  if (/^[^\s()<>\\\u0000-\u001f\u007f]+$/.test(path)) return path;
  return `<${path.replace(/[\\<>]/g, (c) => `\\${c}`).replace(/[\r\n]/g, (c) => encodeURIComponent(c))}>`;
}

/** The last `n` lines of a step's output, with a line saying how many came before and where they are. */
export function tailLines(text: string, n: number, where: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.length <= n ? lines.join('\n') : `… ${lines.length - n} earlier lines in ${where} …\n${lines.slice(-n).join('\n')}`;
}
