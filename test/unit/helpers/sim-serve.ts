// `breakglass sim serve` of the seed scenario as a child process, and kubectl run against it.
// Paths are from out/test/unit/, where the tests are bundled.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve(__dirname, '../../../dist/cli.js');
export const SEED = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

export interface Served {
  child: ChildProcess;
  kubeconfig: string;
  /** What the server has written to stderr so far (its events, its hold). */
  stderr(): string;
  stop(): Promise<number | null>;
}

export function serve(cluster: string, speed: number, dir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'sim', 'serve', SEED, '--cluster', cluster, '--speed', String(speed), '--kubeconfig', join(dir, `kubeconfig-${cluster}`), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`sim serve did not get ready: ${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^ready (\S+) kubeconfig=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        res({
          child,
          kubeconfig: m[2],
          stderr: () => err,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => rej(new Error(`sim serve exited ${code}: ${err}`)));
  });
}

/**
 * `cluster` served at 60× with its clock held at `at` (e.g. '5m'): resolves once the server says
 * the clock stands there, so what a test reads is the model at that moment on any machine.
 */
export async function serveHeld(cluster: string, at: string, dir: string): Promise<Served> {
  const s = await serve(cluster, 60, dir, ['--hold-at', at]);
  for (const until = Date.now() + 90_000; !/held: the clock stands still/.test(s.stderr()); ) {
    if (Date.now() > until) {
      await s.stop();
      throw new Error(`sim serve did not reach T+${at} in 90 s: ${s.stderr().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return s;
}

export function kubectl(bin: string, s: Served, cache: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(bin, ['--kubeconfig', s.kubeconfig, '--cache-dir', cache, ...args], { timeout: timeoutMs, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (e, stdout, stderr) => {
      res({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The oldest and newest kubectl on the machine (1.27, 1.33), those present. */
export const KUBECTL_BINS = ['1.27', '1.33'].map((v) => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`).filter((p) => existsSync(p));

export type KubectlResult = { code: number; stdout: string; stderr: string };
export type Kubectl = (args: string[], timeoutMs?: number) => Promise<KubectlResult>;
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Simulated seconds now (the server's /sim/v1/clients). */
export async function simNow(k: Kubectl): Promise<number> {
  const r = await k(['get', '--raw', '/sim/v1/clients']);
  return (JSON.parse(r.stdout) as { now: number }).now;
}

/**
 * One `sim serve` of `cluster` for the enclosing describe (started in its before hook, stopped
 * in its after hook) and kubectl `bin` against it: `k` runs it, `ok` also asserts exit 0 and
 * returns stdout, `json` adds `-o json` and parses.
 */
export function servedFor(bin: string, cluster: string, speed: number, prefix: string): { k: Kubectl; ok: (args: string[], timeoutMs?: number) => Promise<string>; json: (args: string[]) => Promise<Obj>; readonly dir: string } {
  let dir = '';
  let s: Served | undefined;
  before(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), prefix));
    s = await serve(cluster, speed, dir);
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const k: Kubectl = (args, timeoutMs) => kubectl(bin, s!, dir, args, timeoutMs);
  const ok = async (args: string[], timeoutMs?: number): Promise<string> => {
    const r = await k(args, timeoutMs);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    k,
    ok,
    json: async (args) => JSON.parse(await ok([...args, '-o', 'json'])) as Obj,
    get dir() {
      return dir;
    },
  };
}
