// The shell reader under the bounded-call check: structure as the shell groups it, quotes, comments,
// here-documents and continuations read as the shell reads them, and no input that makes it throw.
import assert from 'node:assert/strict';
import { lineColumn, parseShell, type Command, type Script } from '../../src/runbook/shell-syntax';

/** The names of the simple commands, nested ones in brackets, for comparing shapes. */
function names(s: Script): string[] {
  const out: string[] = [];
  const cmd = (c: Command): void => {
    if (c.type === 'simple') {
      out.push(c.words[0]?.text ?? `${c.assigns.map((a) => a.text.split('=')[0]).join(',')}=`);
      for (const w of [...c.assigns, ...c.words]) for (const sub of w.subs) out.push(`[${names(sub).join(' ')}]`);
      return;
    }
    out.push(`${c.type}{`);
    for (const w of c.type === 'arith' ? c.words : []) for (const sub of w.subs) out.push(`[${names(sub).join(' ')}]`);
    for (const x of c.conditions) out.push(...names(x), '?');
    for (const x of c.bodies) out.push(...names(x), ';');
    out.push('}');
  };
  for (const a of s.items) a.pipelines.forEach((p, i) => {
    if (i) out.push(a.ops[i - 1]);
    p.commands.forEach((c, j) => {
      if (j) out.push('|');
      cmd(c);
    });
  });
  return out;
}

describe('shell reader', () => {
  it('groups and-or lists, pipelines and compound commands as the shell does', () => {
    assert.deepEqual(names(parseShell('a && b || c; d | e')), ['a', '&&', 'b', '||', 'c', 'd', '|', 'e']);
    assert.deepEqual(names(parseShell('if a; then b; elif c; then d; else e; fi')), ['if{', 'a', '?', 'c', '?', 'b', ';', 'd', ';', 'e', ';', '}']);
    assert.deepEqual(names(parseShell('until a | b\ndo\n  c\ndone')), ['until{', 'a', '|', 'b', '?', 'c', ';', '}']);
    assert.deepEqual(names(parseShell('for x in $(a); do b || break; done; c')), ['for{', 'b', '||', 'break', ';', '}', 'c']);
    assert.deepEqual(names(parseShell('case $x in\n  a) b ;;\n  *) c ;;\nesac')), ['case{', 'b', ';', 'c', ';', '}']);
    // `(( … ))` is an arithmetic command, its substitutions read; `( (a) )` is a subshell in a subshell.
    assert.deepEqual(names(parseShell('(( $(a | b) > 3 )) || c; (( i++ ))')), ['arith{', '[a | b]', '}', '||', 'c', 'arith{', '}']);
    assert.deepEqual(names(parseShell('( (a) )')), ['subshell{', 'subshell{', 'a', ';', '}', ';', '}']);
    const fns = parseShell('f() { a; }\nfunction g { b; }').items.map((i) => i.pipelines[0].commands[0]);
    assert.deepEqual(fns.map((c) => (c.type === 'function' ? c.words[0]?.text : c.type)), ['f', 'g'], 'a function keeps its name');
    assert.deepEqual(names(parseShell('f() { a; }\n( b ) && { c; }')), ['function{', 'group{', 'a', ';', '}', ';', '}', 'subshell{', 'b', ';', '}', '&&', 'group{', 'c', ';', '}']);
  });

  it('reads command substitutions, in and out of double quotes, as scripts of their own', () => {
    assert.deepEqual(names(parseShell('X=$(a | b) c "$(d)" `e`')), ['c', '[a | b]', '[d]', '[e]']);
    assert.deepEqual(names(parseShell("echo '$(not)' \"\\$(nor)\" $((1 + 2))")), ['echo']);
    // In the word of a parameter expansion too (`${NS:-$(kubectl …)}`), quoted or not; not in single quotes there.
    assert.deepEqual(names(parseShell('NS=${NS:-$(a)} b "${X:-`c`}" ${Y#\'$(no)\'} ${Z:-"$(d)"}')), ['b', '[a]', '[c]', '[d]']);
  });

  it('leaves out strings, comments, here-documents and continuations', () => {
    assert.deepEqual(names(parseShell("echo 'a || b; if x' # c && d\ne")), ['echo', 'e']);
    assert.deepEqual(names(parseShell('cat <<EOF | f\nkubectl get x || y\nEOF\ng')), ['cat', '|', 'f', 'g']);
    assert.deepEqual(names(parseShell('cat <<-\'EOF\'\n\tif a; then\n\tEOF\nh')), ['cat', 'h']);
    assert.deepEqual(names(parseShell('a \\\n  --flag || b')), ['a', '||', 'b']);
    assert.deepEqual(names(parseShell('a 2>&1 >/dev/null || b')), ['a', '||', 'b']);
  });

  it('gives line and column of an offset', () => {
    assert.deepEqual(lineColumn('ab\ncd\nef', 7), { line: 2, column: 1 });
    assert.deepEqual(lineColumn('ab', 0), { line: 0, column: 0 });
  });

  it('never throws, whatever it is given (unclosed quotes, stray keywords, unbalanced brackets)', () => {
    const pieces = ['if', 'then', 'fi', 'do', 'done', 'case', 'esac', 'in', ';;', '(', ')', '{', '}', '"', "'", '`', '$(', '${', '$((', '<<EOF', 'EOF', '\\', '\n', '||', '&&', '|', ';', '&', '!', '#', 'kubectl', 'x', ' ', '=', '>'];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + rand(30) }, () => pieces[rand(pieces.length)]).join(rand(2) ? ' ' : '');
      assert.doesNotThrow(() => parseShell(text), JSON.stringify(text));
    }
  });
});
