// A connected cluster's size, read cheaply: one scrape of /metrics (apiserver_storage_objects),
// falling back to one-item LISTs and their remainingItemCount. Never a full LIST.
import type { Requester } from './connection';
import { parsePrometheusText, sum } from './prom';

export interface LiveSize {
  nodes: number;
  pods: number;
  source: string;
}

async function countByPage(conn: Requester, path: string, timeoutMs: number): Promise<number | undefined> {
  const r = await conn.get(`${path}?limit=1`, { timeoutMs, accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' });
  if (r.status !== 200) return undefined;
  const list = JSON.parse(r.body) as { items?: unknown[]; metadata?: { remainingItemCount?: number } };
  return (list.items?.length ?? 0) + (list.metadata?.remainingItemCount ?? 0);
}

export async function liveClusterSize(conn: Requester, timeoutMs = 5000): Promise<LiveSize | undefined> {
  try {
    const m = await conn.get('/metrics', { timeoutMs, accept: 'text/plain' });
    if (m.status === 200) {
      const s = parsePrometheusText(m.body);
      const nodes = sum(s, 'apiserver_storage_objects', { resource: 'nodes' });
      const pods = sum(s, 'apiserver_storage_objects', { resource: 'pods' });
      if (nodes !== undefined && pods !== undefined) return { nodes, pods, source: 'apiserver_storage_objects' };
    }
    const nodes = await countByPage(conn, '/api/v1/nodes', timeoutMs);
    const pods = await countByPage(conn, '/api/v1/pods', timeoutMs);
    if (nodes !== undefined && pods !== undefined) return { nodes, pods, source: 'limit=1 + remainingItemCount' };
  } catch {
    /* unreachable: no live size */
  }
  return undefined;
}
