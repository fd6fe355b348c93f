// `breakglass sim serve` of the seed scenario as a child process, and kubectl run against it.
// Paths are from out/test/unit/, where the tests are bundled.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const CLI = resolve(__dirname, '../../../dist/cli.js');
export const SEED = resolve(__dirname, '../../../runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');

export interface Served {
  child: ChildProcess;
  kubeconfig: string;
  stop(): Promise<number | null>;
}

export function serve(cluster: string, speed: number, dir: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'sim', 'serve', SEED, '--cluster', cluster, '--speed', String(speed), '--kubeconfig', join(dir, `kubeconfig-${cluster}`)], { stdio: ['ignore', 'pipe', 'pipe'] });
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

export function kubectl(bin: string, s: Served, cache: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(bin, ['--kubeconfig', s.kubeconfig, '--cache-dir', cache, ...args], { timeout: timeoutMs, env: { ...process.env, HOME: cache, KUBECONFIG: '' } }, (e, stdout, stderr) => {
      res({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
