// Watch streams: one JSON event per line, fed from the store's event log with backpressure
// (a slow client holds a cursor, not a copy of the events), BOOKMARK events when asked for,
// 410 Gone when the client's resourceVersion has been compacted away, and an end after
// timeoutSeconds, as kube-apiserver's watch handler does.
import type { ServerResponse } from 'node:http';
import type { SimObject, Json } from './simObject';
import type { EventType, Store } from './store';

export interface WatchOptions {
  /** Does an object belong to this watch (namespace, selectors)? */
  match(o: SimObject): boolean;
  /** Initial ADDED events (a watch without resourceVersion, or resourceVersion=0). */
  initial?: Iterator<SimObject>;
  /** Send the BOOKMARK that ends the initial events (sendInitialEvents=true). */
  initialEventsEnd: boolean;
  /** Events after this resourceVersion are sent. */
  sinceRv: number;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutMs: number;
  /** kind and apiVersion for BOOKMARK objects. */
  kind: string;
  apiVersion: string;
  /** The object of an event as the client asked for it (the object, or a one-row Table). */
  encode(type: EventType, o: SimObject): Json;
  onBytes(n: number): void;
}

export function goneStatus(rv: number, oldest: number): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `too old resource version: ${rv} (${oldest})`,
    reason: 'Expired',
    code: 410,
  };
}

export class WatchStream {
  private cursor: number;
  private waitingDrain = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: () => void;
  private initial?: Iterator<SimObject>;

  constructor(
    private readonly res: ServerResponse,
    private readonly store: Store,
    private readonly o: WatchOptions,
  ) {
    this.cursor = o.sinceRv;
    this.initial = o.initial;
    this.unsubscribe = store.log.subscribe(() => this.pump());
    res.on('close', () => this.close());
    this.timers.push(setTimeout(() => this.end(), o.timeoutMs));
    if (o.bookmarks) this.timers.push(setInterval(() => this.bookmark(), o.bookmarkIntervalMs));
    for (const t of this.timers) t.unref?.();
    this.pump();
  }

  private write(line: Json): boolean {
    const s = `${JSON.stringify(line)}\n`;
    this.o.onBytes(Buffer.byteLength(s));
    return this.res.write(s);
  }

  private waitDrain(): void {
    this.waitingDrain = true;
    this.res.once('drain', () => {
      this.waitingDrain = false;
      this.pump();
    });
  }

  pump(): void {
    if (this.closed || this.waitingDrain) return;
    while (this.initial) {
      const n = this.initial.next();
      if (n.done) {
        this.initial = undefined;
        if (this.o.initialEventsEnd) this.bookmark({ 'k8s.io/initial-events-end': 'true' });
        break;
      }
      if (!this.write({ type: 'ADDED', object: this.o.encode('ADDED', n.value) })) return this.waitDrain();
    }
    const log = this.store.log;
    if (this.cursor < log.compactedRv) {
      this.write({ type: 'ERROR', object: goneStatus(this.cursor, log.compactedRv + 1) });
      this.end();
      return;
    }
    for (let i = log.indexAfter(this.cursor); i < log.length; i++) {
      const e = log.at(i);
      this.cursor = e.rv;
      if (!this.o.match(e.obj)) continue;
      if (!this.write({ type: e.type, object: this.o.encode(e.type, e.obj) })) return this.waitDrain();
    }
  }

  private bookmark(annotations?: Record<string, string>): void {
    if (this.closed || this.waitingDrain || this.initial) return;
    const log = this.store.log;
    const caughtUp = log.indexAfter(this.cursor) >= log.length;
    const rv = caughtUp ? Math.max(this.cursor, this.store.rv) : this.cursor;
    if (caughtUp) this.cursor = rv;
    const metadata: Json = { resourceVersion: String(rv), creationTimestamp: null };
    if (annotations) metadata.annotations = annotations;
    this.write({ type: 'BOOKMARK', object: { kind: this.o.kind, apiVersion: this.o.apiVersion, metadata } });
  }

  /** Ends the stream normally (timeout, 410). */
  end(): void {
    if (this.closed) return;
    this.close();
    this.res.end();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }
}
