// /metrics in the Prometheus text format with kube-apiserver's metric names, and the accounting
// of real HTTP clients behind /sim/v1/clients.
//
// Gauges and totals about API Priority and Fairness come from the model's snapshot (they
// describe all the load the model simulates, summed over API server replicas); request counts,
// latency and wait histograms come from the requests this server really answered.
import type { ClusterSnapshot } from '../types';
import { mainFlowSchema } from './apf';

const DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const WAIT_BUCKETS = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: number[]) {
    this.counts = new Array(buckets.length).fill(0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
}

function labelString(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Family<T> {
  readonly series = new Map<string, { labels: Record<string, string>; value: T }>();

  constructor(private readonly make: () => T) {}

  /** The series of these labels (each family is always given the same label names, in the same order). */
  at(labels: Record<string, string>): T {
    // Keyed by the values alone, without building the exposition text: this runs on every request.
    let key = '';
    for (const k in labels) key += `${labels[k]}\u0000`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels, value: this.make() };
      this.series.set(key, s);
    }
    return s.value;
  }
}

export interface ClientStats {
  userAgent: string;
  user: string;
  requestsLastMinute: number;
  requestsTotal: number;
  bytesSent: number;
}

interface ClientRecord {
  userAgent: string;
  user: string;
  total: number;
  bytes: number;
  /** Requests per simulated second, for the last 60 seconds: [second, count]. */
  seconds: Array<[number, number]>;
}

export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
}

export class Metrics {
  private readonly requests = new Family(() => ({ n: 0 }));
  private readonly durations = new Family(() => new Histogram(DURATION_BUCKETS));
  private readonly waits = new Family(() => new Histogram(WAIT_BUCKETS));
  private readonly etcd = new Family(() => new Histogram(DURATION_BUCKETS));
  private readonly clients = new Map<string, ClientRecord>();
  inflightReadOnly = 0;
  inflightMutating = 0;

  /** A request arrived (counted before admission, so rejected retries count too). */
  clientRequest(userAgent: string, user: string, simSecond: number): ClientRecord {
    const key = `${userAgent}\u0000${user}`;
    let c = this.clients.get(key);
    if (!c) {
      c = { userAgent, user, total: 0, bytes: 0, seconds: [] };
      this.clients.set(key, c);
    }
    c.total++;
    const sec = Math.floor(simSecond);
    const last = c.seconds[c.seconds.length - 1];
    if (last && last[0] === sec) last[1]++;
    else c.seconds.push([sec, 1]);
    while (c.seconds.length && c.seconds[0][0] <= sec - 60) c.seconds.shift();
    return c;
  }

  clientBytes(c: ClientRecord, n: number): void {
    c.bytes += n;
  }

  clientStats(simSecond: number): ClientStats[] {
    const sec = Math.floor(simSecond);
    return [...this.clients.values()]
      .map((c) => ({
        userAgent: c.userAgent,
        user: c.user,
        requestsLastMinute: c.seconds.filter(([s]) => s > sec - 60 && s <= sec).reduce((n, [, k]) => n + k, 0),
        requestsTotal: c.total,
        bytesSent: c.bytes,
      }))
      .sort((a, b) => b.requestsTotal - a.requestsTotal);
  }

  /** A request was answered (HTTP code) after `seconds`. */
  request(l: RequestLabels, code: number, seconds: number): void {
    this.requests.at({ verb: l.verb, dry_run: '', group: l.group, version: l.version, resource: l.resource, subresource: l.subresource, scope: l.scope, component: 'apiserver', code: String(code) }).n++;
    if (l.verb !== 'WATCH' && l.verb !== 'CONNECT') this.durations.at({ verb: l.verb, dry_run: '', group: l.group, version: l.version, resource: l.resource, subresource: l.subresource, scope: l.scope, component: 'apiserver' }).observe(seconds);
  }

  /** Time a request waited for a seat (execute: was it then served). */
  wait(priorityLevel: string, flowSchema: string, execute: boolean, seconds: number): void {
    this.waits.at({ execute: String(execute), flow_schema: flowSchema, priority_level: priorityLevel }).observe(seconds);
  }

  etcdRequest(operation: string, type: string, seconds: number): void {
    this.etcd.at({ operation, type }).observe(seconds);
  }

  render(s: ClusterSnapshot, storageObjects: Record<string, number>): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`);
    };
    const hist = (name: string, fam: Family<Histogram>): void => {
      for (const { labels, value } of fam.series.values()) {
        value.buckets.forEach((b, i) => out.push(`${name}_bucket${labelString({ ...labels, le: String(b) })} ${value.counts[i]}`));
        out.push(`${name}_bucket${labelString({ ...labels, le: '+Inf' })} ${value.count}`);
        out.push(`${name}_sum${labelString(labels)} ${value.sum}`);
        out.push(`${name}_count${labelString(labels)} ${value.count}`);
      }
    };
    const api = s.apiserver;
    const readOnly = Math.max(this.inflightReadOnly, Math.round(api.inflight) - this.inflightMutating);
    head('apiserver_current_inflight_requests', 'gauge', 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.');
    out.push(`apiserver_current_inflight_requests{request_kind="mutating"} ${this.inflightMutating}`);
    out.push(`apiserver_current_inflight_requests{request_kind="readOnly"} ${readOnly}`);

    const levels = Object.entries(s.priorityLevels ?? {});
    head('apiserver_flowcontrol_current_inqueue_requests', 'gauge', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem');
    for (const [pl, st] of levels) out.push(`apiserver_flowcontrol_current_inqueue_requests${labelString({ flow_schema: mainFlowSchema(pl), priority_level: pl })} ${Math.round(st.queued)}`);
    head('apiserver_flowcontrol_current_executing_seats', 'gauge', 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem');
    for (const [pl, st] of levels) out.push(`apiserver_flowcontrol_current_executing_seats${labelString({ flow_schema: mainFlowSchema(pl), priority_level: pl })} ${Math.round(st.inflight)}`);
    head('apiserver_flowcontrol_rejected_requests_total', 'counter', 'Number of requests rejected by API Priority and Fairness subsystem');
    for (const [pl, st] of levels) out.push(`apiserver_flowcontrol_rejected_requests_total${labelString({ flow_schema: mainFlowSchema(pl), priority_level: pl, reason: 'queue-full' })} ${Math.round(st.rejectedTotal)}`);
    head('apiserver_flowcontrol_dispatched_requests_total', 'counter', 'Number of requests executed by API Priority and Fairness subsystem');
    for (const [pl, st] of levels) out.push(`apiserver_flowcontrol_dispatched_requests_total${labelString({ flow_schema: mainFlowSchema(pl), priority_level: pl })} ${Math.round(st.dispatchedTotal)}`);
    head('apiserver_flowcontrol_nominal_limit_seats', 'gauge', 'Nominal number of execution seats configured for each priority level');
    for (const [pl, st] of levels) out.push(`apiserver_flowcontrol_nominal_limit_seats${labelString({ priority_level: pl })} ${Number.isFinite(st.limit) ? st.limit : 0}`);
    head('apiserver_flowcontrol_request_wait_duration_seconds', 'histogram', 'Length of time a request spent waiting in its queue');
    hist('apiserver_flowcontrol_request_wait_duration_seconds', this.waits);

    head('apiserver_request_total', 'counter', 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
    for (const { labels, value } of this.requests.series.values()) out.push(`apiserver_request_total${labelString(labels)} ${value.n}`);
    head('apiserver_request_duration_seconds', 'histogram', 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.');
    hist('apiserver_request_duration_seconds', this.durations);

    head('apiserver_storage_objects', 'gauge', 'Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.');
    for (const [r, n] of Object.entries(storageObjects)) out.push(`apiserver_storage_objects{resource="${r}"} ${n}`);
    out.push('# HELP etcd_request_duration_seconds [ALPHA] Etcd request latency in seconds for each operation and object type.', '# TYPE etcd_request_duration_seconds histogram');
    hist('etcd_request_duration_seconds', this.etcd);

    out.push('# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge');
    out.push(`process_resident_memory_bytes ${Math.round(Math.max(0, ...(api.memoryBytes ?? [0])))}`);
    return `${out.join('\n')}\n`;
  }
}
