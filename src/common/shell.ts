// Quoting for a POSIX shell: a word in single quotes, each `'` written as `'\''`, so nothing in it
// (`$`, backquotes, `;`, a newline) is read by the shell.

/** Single-quotes a word for a POSIX shell. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
