// One connection to an API server from a kubeconfig context: every request has a timeout
// (AbortSignal), and the connection counts what it sent and received. The Kubernetes client is
// loaded only here, lazily, to keep it out of the extension's activation.
import { statSync } from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  bytes: number;
  ms: number;
}

export class RequestTimeout extends Error {
  constructor(readonly path: string, readonly ms: number) {
    super(`${path}: no answer within ${ms} ms`);
  }
}

/** What the poller needs: a GET with a timeout. Tests may provide their own. */
export interface Requester {
  readonly label: string;
  get(path: string, opts: { timeoutMs: number; accept?: string; signal?: AbortSignal }): Promise<ApiResponse>;
}

export class ClusterConnection implements Requester {
  requests = 0;
  bytesReceived = 0;

  private constructor(
    readonly server: string,
    readonly context: string,
    private readonly base: https.RequestOptions,
    /** Who the server sees: the health poller, the analyzer's size probe, … */
    readonly userAgent: string,
  ) {}

  get label(): string {
    return this.context;
  }

  /** From a kubeconfig file (default: $KUBECONFIG or ~/.kube/config) and context (default: current). */
  static async fromKubeconfig(file?: string, context?: string, userAgent = 'breakglass-health/0.1'): Promise<ClusterConnection> {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
    if (context) {
      if (!kc.getContexts().some((c) => c.name === context)) throw new Error(`context '${context}' is not in the kubeconfig`);
      kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return new ClusterConnection(cluster.server.replace(/\/$/, ''), kc.getCurrentContext(), opts, userAgent);
  }

  get(path: string, opts: { timeoutMs: number; accept?: string; signal?: AbortSignal }): Promise<ApiResponse> {
    const url = new URL(this.server + path);
    const isHttps = url.protocol === 'https:';
    const t0 = performance.now();
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    this.requests++;
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        url,
        {
          ...this.base,
          method: 'GET',
          signal,
          agent: false,
          headers: { ...(this.base.headers ?? {}), Accept: opts.accept ?? 'application/json', 'User-Agent': this.userAgent },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            bytes += c.length;
          });
          res.on('end', () => {
            this.bytesReceived += bytes;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bytes, ms: performance.now() - t0 });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (e) => {
        if (timeout.aborted) reject(new RequestTimeout(path, opts.timeoutMs));
        else reject(e);
      });
      req.end();
    });
  }
}

/**
 * A connection made on first use and remade when the kubeconfig file changes (a restarted
 * `breakglass sim serve` or tabletop rewrites it with a new port, CA and tokens). Loading the
 * Kubernetes client waits until a panel really polls.
 */
export class KubeconfigRequester implements Requester {
  private conn?: Promise<ClusterConnection>;
  private loadedMtime = -1;

  constructor(
    readonly file: string,
    readonly context: string,
  ) {}

  get label(): string {
    return this.context;
  }

  async get(path: string, opts: { timeoutMs: number; accept?: string; signal?: AbortSignal }): Promise<ApiResponse> {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      throw new Error(`kubeconfig ${this.file} does not exist`);
    }
    if (!this.conn || mtime !== this.loadedMtime) {
      this.loadedMtime = mtime;
      const made = ClusterConnection.fromKubeconfig(this.file, this.context);
      made.catch(() => {
        if (this.conn === made) this.conn = undefined;
      });
      this.conn = made;
    }
    return (await this.conn).get(path, opts);
  }
}
