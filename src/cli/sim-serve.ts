// `breakglass sim serve`: a simulated cluster behind a real Kubernetes API on 127.0.0.1, and a
// kubeconfig for kubectl with two contexts (sim: an ordinary user; sim-breakglass: system:masters).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SimCluster } from '../sim/types';
import { writeKubeconfig } from '../sim/server/kubeconfig';
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
