// The target a run acts on: simulated, or a real kube context. Shell steps receive KUBECONFIG
// pointing at a kubeconfig whose current-context is the target, so `kubectl` in a step cannot
// silently act on whatever context happens to be current.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { RunMode } from './model';

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
  [k: string]: unknown;
}

function readKubeconfig(file: string): KubeconfigDoc {
  const doc = parse(readFileSync(file, 'utf8')) as unknown;
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
 * A kubeconfig for the steps of one run: a private copy whose current-context is the target's.
 * Returns the path and a cleanup function. Throws with a clear message if the context is unknown.
 */
export function prepareKubeconfig(t: Target): { path?: string; cleanup(): void } {
  if (!t.kubeconfig) return { cleanup() {} };
  if (!existsSync(t.kubeconfig)) throw new Error(`kubeconfig ${t.kubeconfig} does not exist`);
  if (!t.context) return { path: t.kubeconfig, cleanup() {} };
  const doc = readKubeconfig(t.kubeconfig);
  if (!(doc.contexts ?? []).some((c) => c?.name === t.context)) {
    throw new Error(`context '${t.context}' is not defined in ${t.kubeconfig}`);
  }
  if (doc['current-context'] === t.context) return { path: t.kubeconfig, cleanup() {} };
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-kube-'));
  const path = join(dir, 'config');
  writeFileSync(path, stringify({ ...doc, 'current-context': t.context }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
