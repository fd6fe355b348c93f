// The target a run acts on: simulated, or a real kube context. Shell steps receive KUBECONFIG
// pointing at a kubeconfig whose current-context is the target, so `kubectl` in a step cannot
// silently act on whatever context happens to be current.
//
// In SIMULATED mode no step may reach a real cluster: KUBECONFIG is the simulated cluster's
// kubeconfig (written by `breakglass sim serve` or a tabletop, which mark it as simulated) or a
// placeholder that points nowhere, and every other way kubectl, client-go or Helm could find a
// cluster in the environment is removed (see kubeEnv).
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { yaml } from '../lazy';
import { isSimulatedDoc, renderKubeconfig, SIMULATED_EXTENSION } from '../common/kubeconfig';
import type { RunMode } from './model';
import { processDir, privateTempDir } from './private-dir';

export interface Target {
  mode: RunMode;
  /** Kube context (real mode), or the simulated cluster's context when known. */
  context?: string;
  /** The kubeconfig file the context comes from. */
  kubeconfig?: string;
}

export function targetLabel(t: Target): string {
  return t.mode === 'real' ? `REAL: ${t.context ?? '?'}` : 'SIMULATED';
}

/** What journals record as the target. */
export function targetName(t: Target): string {
  return t.mode === 'real' ? (t.context ?? '?') : t.context ? `simulated:${t.context}` : 'simulated';
}

/** Kubeconfig files in the order kubectl reads them. */
export function defaultKubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

interface KubeconfigDoc {
  contexts?: { name?: string }[];
  'current-context'?: string;
  extensions?: { name?: string; extension?: unknown }[];
  [k: string]: unknown;
}

/** The kubeconfig file a target's context comes from: its own, else the first kubectl reads that has it. */
function contextFile(t: Target, env: NodeJS.ProcessEnv): string | undefined {
  return t.kubeconfig ?? (t.context ? listContexts(defaultKubeconfigFiles(env)).find((c) => c.name === t.context)?.file : undefined);
}

/** Where a real context leads, in words: its cluster, server and file (for confirmations). */
export function contextWhere(t: Target, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = contextFile(t, env);
  if (!file || !t.context) return [`context ${t.context ?? '?'}`];
  try {
    const doc = readKubeconfig(file) as unknown as { contexts?: { name?: string; context?: { cluster?: string } }[]; clusters?: { name?: string; cluster?: { server?: string } }[] };
    const cluster = doc.contexts?.find((c) => c?.name === t.context)?.context?.cluster;
    const server = doc.clusters?.find((c) => c?.name === cluster)?.cluster?.server;
    return [`context ${t.context}: cluster ${cluster ?? '?'} at ${server ?? '?'} (${file})`];
  } catch {
    return [`context ${t.context} (${file})`];
  }
}

export { SIMULATED_EXTENSION, isSimulatedDoc };

/** Whether a kubeconfig file was written for simulated clusters (false when unreadable). */
export function isSimulatedKubeconfig(file: string): boolean {
  try {
    return isSimulatedDoc(readKubeconfig(file));
  } catch {
    return false;
  }
}

/**
 * Environment variables through which kubectl, client-go or Helm find a cluster other than through
 * KUBECONFIG: in-cluster config (KUBERNETES_SERVICE_HOST/PORT: client-go rest.InClusterConfig,
 * used when the kubeconfig is empty), the default server (KUBERNETES_MASTER: clientcmd's
 * getDefaultServer), Helm's overrides (HELM_KUBEAPISERVER, HELM_KUBETOKEN, HELM_KUBECONTEXT, …:
 * helm.sh/docs/helm/helm), and any other variable naming a kubeconfig.
 */
export function isClusterEnvName(name: string): boolean {
  const n = name.toUpperCase();
  return n === 'KUBERNETES_SERVICE_HOST' || n === 'KUBERNETES_SERVICE_PORT' || n === 'KUBERNETES_MASTER' || n.startsWith('HELM_KUBE') || n.includes('KUBECONFIG');
}

/** The environment with every way to a cluster removed and KUBECONFIG set to `kubeconfig`. */
export function kubeEnv(env: NodeJS.ProcessEnv, kubeconfig: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!isClusterEnvName(k)) out[k] = v;
  out.KUBECONFIG = kubeconfig;
  return out;
}

/**
 * A kubeconfig that reaches no cluster, for simulated runs without a simulated cluster: an empty
 * kubeconfig would not do, since kubectl then falls back to http://localhost:8080 (where a
 * `kubectl proxy` to a real cluster may listen). Its one context points at port 0 on the loopback
 * address, which refuses every connection at once.
 */
export const PLACEHOLDER_CONTEXT = 'no-simulated-cluster';
export function placeholderKubeconfig(): string {
  const file = join(processDir(), 'placeholder-kubeconfig');
  if (!existsSync(file)) {
    const text = renderKubeconfig({
      comments: [
        'Breakglass, SIMULATED mode with no simulated cluster: this kubeconfig reaches nothing.',
        'Start a tabletop (Breakglass: Start Tabletop) or `breakglass sim serve` for a cluster to act on.',
      ],
      clusters: [{ name: PLACEHOLDER_CONTEXT, server: 'https://127.0.0.1:0' }],
      contexts: [{ name: PLACEHOLDER_CONTEXT, cluster: PLACEHOLDER_CONTEXT, user: PLACEHOLDER_CONTEXT }],
      currentContext: PLACEHOLDER_CONTEXT,
      users: [{ name: PLACEHOLDER_CONTEXT, token: 'none' }], // without a credential kubectl would ask for a user name
      simulated: true,
    });
    writeFileSync(file, text, { mode: 0o600 });
  }
  return file;
}

function readKubeconfig(file: string): KubeconfigDoc {
  const doc = yaml().parse(readFileSync(file, 'utf8')) as unknown;
  if (!doc || typeof doc !== 'object') throw new Error(`${file} is not a kubeconfig (not a YAML mapping)`);
  return doc as KubeconfigDoc;
}

/** Context names defined in these files (cheap: YAML only, no Kubernetes client). */
export function listContexts(files: string[]): { name: string; file: string; current: boolean }[] {
  const out: { name: string; file: string; current: boolean }[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    let doc: KubeconfigDoc;
    try {
      doc = readKubeconfig(f);
    } catch {
      continue;
    }
    for (const c of doc.contexts ?? []) {
      if (c?.name && !out.some((o) => o.name === c.name)) out.push({ name: c.name, file: f, current: doc['current-context'] === c.name });
    }
  }
  return out;
}

/**
 * The kubeconfig for the steps of one run: the target's file, or a private copy whose
 * current-context is the target's context. In simulated mode, the simulated cluster's kubeconfig
 * (refused when it is not marked as one) or the placeholder. Returns the path and a cleanup
 * function. Throws with a clear message if the file or the context is unusable.
 */
export function prepareKubeconfig(t: Target, env: NodeJS.ProcessEnv = process.env): { path: string; cleanup(): void } {
  if (!t.kubeconfig) {
    if (t.mode === 'sim') return { path: placeholderKubeconfig(), cleanup() {} };
    // Real mode names a context: the file kubectl would find it in, never its current context.
    const found = contextFile(t, env);
    if (!found) throw new Error(t.context ? `context '${t.context}' is not in ${defaultKubeconfigFiles(env).join(', ')}` : 'real mode needs a context');
    t = { ...t, kubeconfig: found };
  }
  const kubeconfig = t.kubeconfig!;
  if (!existsSync(kubeconfig)) throw new Error(`kubeconfig ${kubeconfig} does not exist`);
  const doc = readKubeconfig(kubeconfig);
  if (t.mode === 'sim' && !isSimulatedDoc(doc)) {
    throw new Error(
      `${kubeconfig} is not a simulated cluster's kubeconfig (those written by \`breakglass sim serve\` or a tabletop carry the extension ${SIMULATED_EXTENSION}): in SIMULATED mode steps never receive a real cluster's kubeconfig`,
    );
  }
  if (!t.context) return { path: kubeconfig, cleanup() {} };
  if (!(doc.contexts ?? []).some((c) => c?.name === t.context)) {
    throw new Error(`context '${t.context}' is not defined in ${kubeconfig}`);
  }
  if (doc['current-context'] === t.context) return { path: kubeconfig, cleanup() {} };
  const dir = privateTempDir('kube');
  const path = join(dir, 'config');
  writeFileSync(path, yaml().stringify({ ...doc, 'current-context': t.context }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
