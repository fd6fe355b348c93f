// What a facilitator gives with an injection besides the cluster, one entry per kind of value:
// its word on the terminal, how a word and a panel message's field become the action's fields
// (read by the action's own `parse` afterwards), and how a notice describes it. The panel's
// inputs for them are drawn by the facilitator panel (src/views/tabletopPanel.ts) and read by
// its page (media/tabletop.ts).
import { parseDuration } from '../../common/duration';
import type { InjectParam } from './action';

/** A namespace/name as typed: `monitoring/telemetry-agent`. */
const REF = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/;
/** A Kubernetes namespace / object name in a panel message. */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A duration as typed: 200ms, 1.5s, 10m, 1h30m. */
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$|^\d+(\.\d+)?$/;

type Fields = Record<string, unknown>;

export interface InjectParamKind {
  /** Its placeholder on the terminal (`N`, `NS/NAME`, …). */
  word: string;
  /** May be left out (only as the last parameter). */
  optional?: boolean;
  /** A terminal word as fields; undefined when the word is not one. */
  fromWord(word: string): Fields | undefined;
  /** A panel message's fields, checked and rebuilt; undefined when they are not valid. */
  fromMessage(msg: Readonly<Record<string, unknown>>): Fields | undefined;
  /** How a notice describes the value (` to 5`, ` monitoring/agent`). */
  describe(fields: Readonly<Record<string, unknown>>): string;
  /** What the terminal answers when the word is missing or wrong (after the action's usage). */
  hint?(ctx: { workloads: readonly { namespace: string; name: string }[] }): string;
}

const ref = (word: string): Fields | undefined => {
  const m = REF.exec(word);
  return m ? { namespace: m[1], name: m[2] } : undefined;
};
const refMessage = (msg: Readonly<Record<string, unknown>>): Fields | undefined => {
  const { namespace, name } = msg;
  return typeof namespace === 'string' && K8S_NAME.test(namespace) && namespace.length <= 63 && typeof name === 'string' && K8S_NAME.test(name) ? { namespace, name } : undefined;
};
const durationWord = (key: string) => (word: string): Fields | undefined => (DURATION.test(word) && parseDuration(word) !== undefined ? { [key]: word } : undefined);
const durationMessage = (key: string) => (msg: Readonly<Record<string, unknown>>): Fields | undefined => {
  const v = msg[key];
  return typeof v === 'string' && v.length <= 20 && DURATION.test(v.trim()) ? { [key]: v.trim() } : undefined;
};

export const INJECT_PARAMS: Record<InjectParam, InjectParamKind> = {
  replicas: {
    word: 'N',
    fromWord: (w) => {
      const n = Number(w);
      return Number.isInteger(n) && n >= 1 && n <= 50 ? { replicas: n } : undefined;
    },
    fromMessage: (m) => (typeof m.replicas === 'number' && Number.isInteger(m.replicas) && m.replicas >= 1 && m.replicas <= 50 ? { replicas: m.replicas } : undefined),
    describe: (f) => ` to ${String(f.replicas)}`,
    hint: () => 'N from 1 to 50',
  },
  client: {
    word: 'NS/NAME',
    fromWord: ref,
    fromMessage: refMessage,
    describe: (f) => ` ${String(f.namespace)}/${String(f.name)}`,
  },
  workload: {
    word: 'NS/NAME',
    fromWord: ref,
    fromMessage: refMessage,
    describe: (f) => ` ${String(f.namespace)}/${String(f.name)}`,
    hint: ({ workloads }) => `one of the scenario's workloads (${workloads.map((w) => `${w.namespace}/${w.name}`).join(', ') || 'it has none'})`,
  },
  latency: {
    word: 'LATENCY',
    fromWord: durationWord('latency'),
    fromMessage: durationMessage('latency'),
    describe: (f) => ` to ${String(f.latency)} per request`,
    hint: () => 'LATENCY of every etcd request, e.g. 200ms',
  },
  duration: {
    word: '[DURATION]',
    optional: true,
    fromWord: durationWord('duration'),
    fromMessage: (m) => (m.duration === undefined ? {} : durationMessage('duration')(m)),
    describe: (f) => (f.duration === undefined ? '' : ` for ${String(f.duration)}`),
  },
};
