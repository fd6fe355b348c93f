// The real kubectl for tests. On these machines /usr/bin/kubectl is a dispatcher that picks a
// versioned binary (kubectl.1.27 … kubectl.1.33) to match the server's /version; the simulated API
// server is tested against the real 1.31 binary beside it (REFERENCE.md, "kubectl").
import { existsSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The first `cmd` on PATH. */
export function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

/** The kubectl binary to run: the 1.31 binary beside the dispatcher when there is one. */
export function kubectlBinary(): string | undefined {
  const k = which('kubectl');
  if (!k) return undefined;
  const v = join(dirname(realpathSync(k)), 'kubectl.1.31');
  return existsSync(v) ? v : k;
}

/**
 * A PATH on which `kubectl` is that binary (a folder of one symlink, made under `parent` or the
 * system's temporary folder, first on PATH), or undefined when there is no kubectl.
 */
export function kubectlPath(parent?: string): string | undefined {
  const k = which('kubectl');
  const bin = kubectlBinary();
  if (!k || !bin) return undefined;
  if (bin === k) return process.env.PATH;
  const dir = mkdtempSync(join(parent ?? tmpdir(), 'bg-kubectl-'));
  symlinkSync(bin, join(dir, 'kubectl'));
  return `${dir}${delimiter}${process.env.PATH ?? ''}`;
}
