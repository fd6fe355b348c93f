// Reading YAML with positions, for every reader that reports a problem on a line: runbook front
// matter and step bodies, scenario files, annotations. One parse with a LineCounter (yaml 2:
// https://eemeli.org/yaml/#line-counter), errors reduced to their first line (the library's later
// lines are a source excerpt that a diagnostic shows anyway), and the line of any node.
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { yaml } from '../lazy';

export interface YamlProblem {
  /** 1-based line in the text read. */
  line: number;
  /** Offset in the text read. */
  offset: number;
  message: string;
}

export interface PositionedYaml {
  doc: Document.Parsed;
  /** Syntax errors (the document's value is not to be trusted when there is any). */
  errors: YamlProblem[];
  /** 1-based line of a node (its start), or of an offset; 1 when it has no position. */
  lineOf(node: unknown): number;
  lineAt(offset: number): number;
}

export interface ReadYamlOptions {
  /** Duplicate keys are errors (yaml's default), or kept quietly (the last wins). */
  uniqueKeys?: boolean;
}

export function readYaml(text: string, opts: ReadYamlOptions = {}): PositionedYaml {
  const Y = yaml();
  const lc: LineCounter = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lc, prettyErrors: false, logLevel: 'silent', uniqueKeys: opts.uniqueKeys ?? true });
  const lineAt = (offset: number): number => lc.linePos(Math.max(0, Math.min(offset, text.length))).line;
  const errors = doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lineAt(e.pos[0]), offset: e.pos[0], message: e.message.split('\n')[0] }));
  return {
    doc,
    errors,
    lineAt,
    lineOf: (node: unknown): number => {
      const r = (node as YamlNode | undefined)?.range;
      return r ? lineAt(r[0]) : 1;
    },
  };
}
