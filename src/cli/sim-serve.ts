// `breakglass sim serve`: a simulated cluster behind a real Kubernetes API on 127.0.0.1, and a
// kubeconfig for kubectl with two contexts (sim: an ordinary user; sim-breakglass: system:masters).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SimCluster } from '../sim/types';
import { BREAKGLASS_CONTEXT, SIM_CONTEXT, writeKubeconfig } from '../sim/server/kubeconfig';
import { SimApiServer, type SimServerOptions } from '../sim/server/server';

export interface ServeOptions extends SimServerOptions {
  /** Where to write the kubeconfig (default: a new temporary folder, removed on close). */
  kubeconfigPath?: string;
}

export interface ServedCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Path of the kubeconfig written for this server. */
  kubeconfig: string;
  /** The server itself (tokens, store, metrics), for tools that run in the same process. */
  server: SimApiServer;
  close(): Promise<void>;
}

/** Serves a simulated cluster: HTTPS on 127.0.0.1, kubeconfig (mode 0600) with contexts sim and sim-breakglass. */
export async function serveCluster(cluster: SimCluster, opts: ServeOptions = {}): Promise<ServedCluster> {
  const server = new SimApiServer(cluster, opts);
  const url = await server.listen();
  let tempDir: string | undefined;
  let kubeconfig = opts.kubeconfigPath ? resolve(opts.kubeconfigPath) : undefined;
  if (!kubeconfig) {
    tempDir = mkdtempSync(join(tmpdir(), 'breakglass-sim-'));
    kubeconfig = join(tempDir, 'kubeconfig');
  }
  try {
    writeKubeconfig(kubeconfig, { clusterName: cluster.spec.name || 'sim', server: url, caPem: server.caPem, userToken: server.userToken, breakglassToken: server.breakglassToken });
  } catch (e) {
    await server.close();
    throw e;
  }
  let closed = false;
  return {
    url,
    kubeconfig,
    server,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export const SIM_SERVE_USAGE = `usage: breakglass sim serve [options]

Serves a simulated cluster on https://127.0.0.1:PORT with the real Kubernetes API, and writes a
kubeconfig with two contexts: ${SIM_CONTEXT} (an ordinary user: its requests queue and get 429 when the
API server is saturated) and ${BREAKGLASS_CONTEXT} (group system:masters: the exempt priority level).

options:
  --port N             port on 127.0.0.1 (default: any free port)
  --kubeconfig FILE    where to write the kubeconfig (default: a temporary file)
  --speed X            simulated seconds per real second (default 1)
`;

export interface SimServeIO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Makes the cluster to serve; receives the options sim serve does not know itself. */
export type SimClusterFactory = (o: { speed: number; argv: string[] }) => SimCluster | Promise<SimCluster>;

/** Runs `breakglass sim serve` until SIGINT/SIGTERM (or `signal`); resolves to the exit code. */
export async function simServe(argv: string[], io: SimServeIO, makeCluster: SimClusterFactory, signal?: AbortSignal): Promise<number> {
  const { values, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: { port: { type: 'string' }, kubeconfig: { type: 'string' }, speed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out.write(SIM_SERVE_USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err.write(`breakglass: --port must be a port number\n`);
    return 2;
  }
  if (!(speed > 0)) {
    io.err.write(`breakglass: --speed must be a positive number\n`);
    return 2;
  }
  const known = new Set(['port', 'kubeconfig', 'speed', 'help']);
  const rest: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'positional') rest.push(t.value);
    else if (t.kind === 'option' && !known.has(t.name)) {
      rest.push(t.rawName);
      if (t.value !== undefined) rest.push(t.value);
    }
  }
  const cluster = await makeCluster({ speed, argv: rest });
  const served = await serveCluster(cluster, { port, speed, kubeconfigPath: typeof values.kubeconfig === 'string' ? values.kubeconfig : undefined });
  io.out.write(`serving cluster ${cluster.spec.name} (${cluster.spec.nodes} nodes) on ${served.url}\n`);
  io.out.write(`kubeconfig: ${served.kubeconfig}\n`);
  io.out.write(`  export KUBECONFIG=${served.kubeconfig}\n`);
  io.out.write(`  kubectl get nodes                              # as ${SIM_CONTEXT}: subject to API Priority and Fairness\n`);
  io.out.write(`  kubectl --context ${BREAKGLASS_CONTEXT} get nodes     # system:masters: exempt\n`);
  io.out.write(`  clients: ${served.url}/sim/v1/clients\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await served.close();
  io.out.write('stopped\n');
  return 0;
}
