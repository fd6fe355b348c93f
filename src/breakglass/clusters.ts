// Real mode, several clusters: where each cluster's break-glass paths are comes from the same
// config as `breakglass preflight` (etcd endpoints and TLS, node inventory, control-plane hosts,
// break-glass context). A step body says what to do; the config says where, per cluster — a body
// field the step leaves out (node-exec `nodes`, network-block `hosts`, exempt-request `context`)
// is filled from the cluster's entry. The size used to order clusters (largest first) is the
// length of the cluster's node inventory: known without asking its API server.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ClusterTarget } from './fanout';
import { resolveInventory, type InventorySource } from './inventory';
import { parsePreflightConfig, type PreflightCluster, type PreflightConfig } from './preflight';
import { actionFor } from './registry';
import type { Body } from './spec';
import { ActionError, type ActionContext } from './types';

function absolute(src: InventorySource, dir: string): InventorySource {
  return 'file' in src && !isAbsolute(src.file) ? { file: resolve(dir, src.file) } : src;
}

/** A cluster's config entry with its inventory files made absolute (they are relative to the config). */
function resolved(c: PreflightCluster, dir: string): PreflightCluster {
  const path = <P extends { inventory: InventorySource }>(p: P | undefined): P | undefined => p && { ...p, inventory: absolute(p.inventory, dir) };
  return { ...c, nodes: path(c.nodes), controlPlane: path(c.controlPlane) };
}

/** The body for one cluster: fields the step leaves out come from the cluster's config entry (the action's forCluster). */
export function bodyForCluster(body: unknown, c: PreflightCluster, cfg: PreflightConfig): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const b = { ...(body as Body) };
  // One cluster's body: what the step leaves out must now be there.
  delete b.clusters;
  if (typeof b.action === 'string') actionFor(b.action)?.forCluster?.(b, resolved(c, cfg.dir));
  return b;
}

export async function loadClustersConfig(file: string, env: NodeJS.ProcessEnv): Promise<PreflightConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ActionError(`a step with \`clusters:\` in real mode needs the clusters' config (${file}): ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`);
  }
  return parsePreflightConfig(text, file, env);
}

/** Every configured cluster as a fan-out target for this step body. */
export async function clusterTargets(file: string, body: unknown, base: ActionContext): Promise<ClusterTarget[]> {
  const cfg = await loadClustersConfig(file, base.env);
  const out: ClusterTarget[] = [];
  for (const c of cfg.clusters) {
    let size: number | undefined;
    if (c.nodes) {
      try {
        size = (await resolveInventory(c.nodes.inventory, { runbookDir: cfg.dir, env: base.env, signal: base.signal })).length;
      } catch {
        size = undefined;
      }
    }
    out.push({
      name: c.name,
      size,
      body: bodyForCluster(body, c, cfg),
      ctx: {
        ...base,
        env: { ...base.env, ...(c.etcd?.env ?? {}) },
        settings: {
          ...base.settings,
          etcd: c.etcd ? { ...base.settings?.etcd, ...stripUndefined(c.etcd.settings) } : base.settings?.etcd,
          ssh: { ...base.settings?.ssh, ...stripUndefined(cfg.ssh) },
          kube: c.breakglass?.kubeconfig ? { kubeconfig: c.breakglass.kubeconfig } : base.settings?.kube,
        },
      },
    });
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
