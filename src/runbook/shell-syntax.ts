// The structure of a POSIX shell / bash script, as much of it as a check on runbook steps needs:
// lists, and-or lists, pipelines, simple commands (their words and where they start), compound
// commands (if, while, until, for, case, { }, ( ), (( )), functions), and the command substitutions inside
// words, parsed in turn. Quotes, comments, line continuations and here-documents are read as the
// shell reads them (POSIX.1-2017 XCU 2.3 Token Recognition, 2.10 Shell Grammar), so a `||` in a
// string or an `if` in a Go template is no operator and no keyword.
//
// Written here rather than taken from a library: the check that uses it runs synchronously inside
// the runbook parser (diagnostics as one types), and the maintained shell parsers for JavaScript
// are mvdan/sh compiled to WebAssembly (`sh-syntax`, asynchronous start) or to GopherJS. This reader
// never throws: what it cannot read (an unclosed quote, a missing `fi`) ends the construct there.

export interface Word {
  /** The word's source text. */
  text: string;
  /** Offset of its first character in the script. */
  offset: number;
  /** Unquoted and without a `$`, `` ` `` or `\` in it: a plain name, usable as a command or keyword. */
  plain: boolean;
  /** Command substitutions (`$( … )`, `` ` … ` ``) in the word, parsed. */
  subs: Script[];
}

export interface SimpleCommand {
  type: 'simple';
  /** Assignments before the command name (`X=1 Y=$(…) cmd`). */
  assigns: Word[];
  words: Word[];
}

export interface Compound {
  type: 'if' | 'while' | 'until' | 'for' | 'case' | 'group' | 'subshell' | 'function' | 'arith';
  /** if/elif, while and until: the condition lists. */
  conditions: Script[];
  /** The bodies: then/elif/else branches, the loop body, the group, a case's items. */
  bodies: Script[];
  /** for and case: the words after `in` / the subject; function: its name; arith: its expression. */
  words: Word[];
}

export type Command = SimpleCommand | Compound;

export interface Pipeline {
  negated: boolean;
  commands: Command[];
  offset: number;
}

export interface AndOr {
  pipelines: Pipeline[];
  /** ops[i] joins pipelines[i] and pipelines[i + 1]. */
  ops: Array<'&&' | '||'>;
  offset: number;
  end: number;
}

export interface Script {
  items: AndOr[];
  /** Offset of the script's text in the outermost one (a substitution's body starts inside it). */
  offset: number;
  /** The outermost script's text (offsets index into it). */
  source: string;
}

type Tok = { kind: 'word'; word: Word } | { kind: 'op'; op: string; offset: number } | { kind: 'nl'; offset: number } | { kind: 'eof'; offset: number };

const OPERATORS = ['&&', '||', ';;', '|&', '<<-', '<<', '>>', '>&', '<&', '<>', '>|', '&>', ';', '&', '|', '(', ')', '<', '>'];
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', 'in', 'case', 'esac', '{', '}', '!', 'function']);

/** Reads a script. `base` is where `text` starts within `source` (for substitutions). */
export function parseShell(text: string, source = text, base = 0): Script {
  return new Reader(text, source, base).script([]);
}

class Reader {
  private i = 0;
  private peeked?: Tok;
  /** Here-document delimiters waiting for the end of the line: [delimiter, strip tabs]. */
  private heredocs: Array<[string, boolean]> = [];

  constructor(
    private readonly s: string,
    private readonly source: string,
    private readonly base: number,
  ) {}

  // --- grammar ---------------------------------------------------------------------------------

  /** A list up to EOF or one of the words in `stop` in command position (not consumed). */
  script(stop: string[]): Script {
    const items: AndOr[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'op' && t.op === ')') || (t.kind === 'op' && t.op === ';;')) break;
      if (t.kind === 'word' && t.word.plain && stop.includes(t.word.text)) break;
      const before = this.i;
      const a = this.andOr(stop);
      if (a) items.push(a);
      if (this.i === before && this.peek() === t) this.next(); // never loop on a token nothing reads
    }
    return { items, offset: this.base, source: this.source };
  }

  private skipSeparators(): void {
    for (let t = this.peek(); (t.kind === 'op' && (t.op === ';' || t.op === '&')) || t.kind === 'nl'; t = this.peek()) this.next();
  }

  private andOr(stop: string[]): AndOr | undefined {
    const first = this.pipeline(stop);
    if (!first) return undefined;
    const pipelines = [first];
    const ops: Array<'&&' | '||'> = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      this.next();
      while (this.peek().kind === 'nl') this.next();
      const p = this.pipeline(stop);
      if (!p) break;
      ops.push(t.op);
      pipelines.push(p);
    }
    return { pipelines, ops, offset: first.offset, end: this.base + this.i };
  }

  private pipeline(stop: string[]): Pipeline | undefined {
    let t = this.peek();
    let negated = false;
    if (t.kind === 'word' && t.word.plain && t.word.text === '!') {
      this.next();
      negated = true;
      t = this.peek();
    }
    const offset = t.kind === 'word' ? t.word.offset : t.kind === 'eof' ? this.base + this.s.length : t.offset;
    const commands: Command[] = [];
    for (;;) {
      const c = this.command(stop);
      if (!c) break;
      commands.push(c);
      const n = this.peek();
      if (n.kind !== 'op' || (n.op !== '|' && n.op !== '|&')) break;
      this.next();
      while (this.peek().kind === 'nl') this.next();
    }
    return commands.length ? { negated, commands, offset } : undefined;
  }

  private command(stop: string[]): Command | undefined {
    const t = this.peek();
    // `(( expression ))`: bash's arithmetic command, its status the expression's (false when 0 or
    // not a number, as an empty `$(…)` makes it).
    if (t.kind === 'op' && t.op === '(' && this.s[this.i] === '(') {
      const open = this.i - 1;
      const end = this.matching(open, '(', ')');
      const subs: Script[] = [];
      this.peeked = undefined;
      this.i = open + 2;
      this.scanSubs(Math.max(this.i, end - 2), subs);
      this.i = end;
      const word: Word = { text: this.s.slice(open, end), offset: this.base + open, plain: false, subs };
      this.redirections();
      return { type: 'arith', conditions: [], bodies: [], words: [word] };
    }
    if (t.kind === 'op' && t.op === '(') {
      this.next();
      const body = this.script([]);
      this.eatOp(')');
      this.redirections();
      return { type: 'subshell', conditions: [], bodies: [body], words: [] };
    }
    // A command may start with its redirections (`>&2 grep …`).
    if (t.kind === 'op' && /^[<>]|^&>/.test(t.op)) return this.simple(stop);
    if (t.kind !== 'word') return undefined;
    const w = t.word;
    if (w.plain && stop.includes(w.text)) return undefined;
    if (w.plain && RESERVED.has(w.text)) {
      switch (w.text) {
        case 'if':
          return this.ifClause();
        case 'while':
        case 'until':
          return this.loop(w.text);
        case 'for':
          return this.forClause();
        case 'case':
          return this.caseClause();
        case '{': {
          this.next();
          const body = this.script(['}']);
          this.eatWord('}');
          this.redirections();
          return { type: 'group', conditions: [], bodies: [body], words: [] };
        }
        case 'function': {
          this.next();
          const name = this.next();
          if (this.isOp('(')) {
            this.next();
            this.eatOp(')');
          }
          while (this.peek().kind === 'nl') this.next();
          const body = this.command(stop);
          return { type: 'function', conditions: [], bodies: body ? [wrap(body, this.source, this.base)] : [], words: name.kind === 'word' ? [name.word] : [] };
        }
        default:
          // A reserved word out of place (`then` with no `if`): read it as a command name.
          break;
      }
    }
    return this.simple(stop);
  }

  private simple(stop: string[]): Command | undefined {
    const assigns: Word[] = [];
    const words: Word[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word') {
        if (!words.length && !assigns.length && t.word.plain && stop.includes(t.word.text)) break;
        this.next();
        if (!words.length && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(t.word.text)) assigns.push(t.word);
        else words.push(t.word);
        // `name() compound`: a function definition.
        if (words.length === 1 && !assigns.length && this.isOp('(')) {
          const save = this.i;
          this.next();
          if (this.isOp(')')) {
            this.next();
            while (this.peek().kind === 'nl') this.next();
            const body = this.command(stop);
            return { type: 'function', conditions: [], bodies: body ? [wrap(body, this.source, this.base)] : [], words: [words[0]] };
          }
          this.i = save;
          this.peeked = undefined;
        }
        continue;
      }
      if (t.kind === 'op' && /^[<>&]|^\d/.test(t.op) && t.op !== '&&' && t.op !== '&') {
        this.redirection();
        continue;
      }
      break;
    }
    return assigns.length || words.length ? { type: 'simple', assigns, words } : undefined;
  }

  private ifClause(): Compound {
    this.next(); // if
    const conditions: Script[] = [];
    const bodies: Script[] = [];
    conditions.push(this.script(['then']));
    this.eatWord('then');
    bodies.push(this.script(['elif', 'else', 'fi']));
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'word' || !t.word.plain) break;
      if (t.word.text === 'elif') {
        this.next();
        conditions.push(this.script(['then']));
        this.eatWord('then');
        bodies.push(this.script(['elif', 'else', 'fi']));
      } else if (t.word.text === 'else') {
        this.next();
        bodies.push(this.script(['fi']));
      } else break;
    }
    this.eatWord('fi');
    this.redirections();
    return { type: 'if', conditions, bodies, words: [] };
  }

  private loop(kind: 'while' | 'until'): Compound {
    this.next();
    const condition = this.script(['do']);
    this.eatWord('do');
    const body = this.script(['done']);
    this.eatWord('done');
    this.redirections();
    return { type: kind, conditions: [condition], bodies: [body], words: [] };
  }

  private forClause(): Compound {
    this.next(); // for
    const words: Word[] = [];
    // `for name [in words]` or `for (( … ))`.
    for (let t = this.peek(); t.kind === 'word' || (t.kind === 'op' && t.op === '('); t = this.peek()) {
      if (t.kind === 'word' && t.word.plain && t.word.text === 'do') break;
      this.next();
      if (t.kind === 'word') words.push(t.word);
    }
    this.skipSeparators();
    this.eatWord('do');
    const body = this.script(['done']);
    this.eatWord('done');
    this.redirections();
    return { type: 'for', conditions: [], bodies: [body], words };
  }

  private caseClause(): Compound {
    this.next(); // case
    const words: Word[] = [];
    const subject = this.next();
    if (subject.kind === 'word') words.push(subject.word);
    while (this.peek().kind === 'nl') this.next();
    this.eatWord('in');
    const bodies: Script[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'word' && t.word.plain && t.word.text === 'esac')) break;
      // The pattern list up to `)`.
      if (this.isOp('(')) this.next();
      for (let p = this.peek(); !(p.kind === 'op' && p.op === ')') && p.kind !== 'eof'; p = this.peek()) this.next();
      this.eatOp(')');
      bodies.push(this.script(['esac']));
      if (this.isOp(';;')) this.next();
    }
    this.eatWord('esac');
    this.redirections();
    return { type: 'case', conditions: [], bodies, words };
  }

  private redirections(): void {
    for (let t = this.peek(); t.kind === 'op' && /^[<>&]/.test(t.op) && t.op !== '&&' && t.op !== '&'; t = this.peek()) this.redirection();
  }

  private redirection(): void {
    const t = this.next() as { kind: 'op'; op: string };
    const target = this.next();
    if ((t.op === '<<' || t.op === '<<-') && target.kind === 'word') this.heredocs.push([target.word.text.replace(/['"\\]/g, ''), t.op === '<<-']);
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.op === op;
  }

  private eatOp(op: string): void {
    if (this.isOp(op)) this.next();
  }

  private eatWord(w: string): void {
    const t = this.peek();
    if (t.kind === 'word' && t.word.plain && t.word.text === w) this.next();
  }

  // --- tokens ------------------------------------------------------------------------------------

  private peek(): Tok {
    if (!this.peeked) this.peeked = this.lex();
    return this.peeked;
  }

  private next(): Tok {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private lex(): Tok {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && (s[this.i] === ' ' || s[this.i] === '\t' || s[this.i] === '\r')) this.i++;
      if (s.startsWith('\\\n', this.i)) {
        this.i += 2;
        continue;
      }
      if (s[this.i] === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      break;
    }
    if (this.i >= s.length) return { kind: 'eof', offset: this.base + s.length };
    const at = this.i;
    if (s[at] === '\n') {
      this.i++;
      this.readHeredocs();
      return { kind: 'nl', offset: this.base + at };
    }
    // A redirection's file descriptor (`2>&1`) belongs to the operator.
    const fd = /^\d+(?=[<>])/.exec(s.slice(at, at + 4));
    const from = fd ? at + fd[0].length : at;
    for (const op of OPERATORS) {
      if (s.startsWith(op, from)) {
        this.i = from + op.length;
        return { kind: 'op', op, offset: this.base + at };
      }
    }
    return { kind: 'word', word: this.word() };
  }

  /** Skips the bodies of the here-documents the last line opened. */
  private readHeredocs(): void {
    const s = this.s;
    for (const [delim, strip] of this.heredocs) {
      for (;;) {
        if (this.i >= s.length) break;
        const end = s.indexOf('\n', this.i);
        const line = s.slice(this.i, end < 0 ? s.length : end);
        this.i = end < 0 ? s.length : end + 1;
        if ((strip ? line.replace(/^\t+/, '') : line) === delim) break;
      }
    }
    this.heredocs = [];
  }

  private word(): Word {
    const s = this.s;
    const start = this.i;
    const subs: Script[] = [];
    let plain = true;
    while (this.i < s.length) {
      const ch = s[this.i];
      if (/[\s;&|<>()]/.test(ch)) {
        // `<(…)` / `>(…)` process substitution inside a word is rare; `(` ends the word.
        break;
      }
      if (ch === '\\') {
        plain = false;
        this.i += 2;
      } else if (ch === "'") {
        plain = false;
        const end = s.indexOf("'", this.i + 1);
        this.i = end < 0 ? s.length : end + 1;
      } else if (ch === '"') {
        plain = false;
        this.i++;
        this.doubleQuoted(subs);
      } else if (ch === '`') {
        plain = false;
        this.backtick(subs);
      } else if (ch === '$') {
        plain = false;
        this.dollar(subs);
      } else this.i++;
    }
    return { text: s.slice(start, this.i), offset: this.base + start, plain, subs };
  }

  private doubleQuoted(subs: Script[]): void {
    const s = this.s;
    while (this.i < s.length && s[this.i] !== '"') {
      if (s[this.i] === '\\') this.i += 2;
      else if (s[this.i] === '`') this.backtick(subs);
      else if (s[this.i] === '$') this.dollar(subs);
      else this.i++;
    }
    this.i++;
  }

  private backtick(subs: Script[]): void {
    const s = this.s;
    const start = ++this.i;
    while (this.i < s.length && s[this.i] !== '`') this.i += s[this.i] === '\\' ? 2 : 1;
    subs.push(parseShell(s.slice(start, this.i), this.source, this.base + start));
    this.i++;
  }

  private dollar(subs: Script[]): void {
    const s = this.s;
    if (s.startsWith('$((', this.i)) {
      // Arithmetic: skip to the matching `))`.
      this.i = this.matching(this.i + 1, '(', ')');
      return;
    }
    if (s[this.i + 1] === '(') {
      const start = this.i + 2;
      const end = this.matching(this.i + 1, '(', ')');
      subs.push(parseShell(s.slice(start, Math.max(start, end - 1)), this.source, this.base + start));
      this.i = end;
      return;
    }
    if (s[this.i + 1] === '{') {
      // `${name:-word}`: the word may hold command substitutions (`${NS:-$(kubectl …)}`).
      const end = this.matching(this.i + 1, '{', '}');
      this.i += 2;
      this.scanSubs(end - 1, subs);
      this.i = end;
      return;
    }
    this.i++;
  }

  /** The command substitutions from here up to `end` (an expansion's or expression's text), quotes read as quotes. */
  private scanSubs(end: number, subs: Script[]): void {
    const s = this.s;
    while (this.i < end) {
      const ch = s[this.i];
      if (ch === '\\') this.i += 2;
      else if (ch === "'") {
        const q = s.indexOf("'", this.i + 1);
        this.i = q < 0 || q >= end ? end : q + 1;
      } else if (ch === '"') {
        this.i++;
        this.doubleQuoted(subs);
      } else if (ch === '`') this.backtick(subs);
      else if (ch === '$') this.dollar(subs);
      else this.i++;
    }
  }

  /** The offset just past the bracket that closes the one at `open`, skipping quotes and nested ones. */
  private matching(open: number, o: string, c: string): number {
    const s = this.s;
    let depth = 0;
    for (let i = open; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\\') i++;
      else if (ch === "'" && o === '(') {
        const end = s.indexOf("'", i + 1);
        i = end < 0 ? s.length : end;
      } else if (ch === '"') {
        for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
      } else if (ch === '#' && o === '(' && /\s/.test(s[i - 1] ?? ' ')) {
        while (i < s.length && s[i] !== '\n') i++;
      } else if (ch === o) depth++;
      else if (ch === c && --depth === 0) return i + 1;
    }
    return s.length;
  }
}

function wrap(c: Command, source: string, base: number): Script {
  return { items: [{ pipelines: [{ negated: false, commands: [c], offset: base }], ops: [], offset: base, end: base }], offset: base, source };
}

/** Line (from 0) and column of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last - 1 };
}
