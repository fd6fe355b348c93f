// Breakglass's private temporary files: copies of kubeconfigs (they carry tokens), the placeholder
// kubeconfig of simulated runs, a tabletop's kubeconfig. They live in one directory per user —
// $XDG_RUNTIME_DIR/breakglass when the session has a runtime directory (a per-user tmpfs, mode
// 0700: XDG Base Directory Specification), else <tmpdir>/breakglass-<uid> — that must be a real
// directory owned by this user with no access for others; Breakglass refuses to use it otherwise
// (another user could have made it in a shared /tmp to read or swap the files).
//
// Each process gets its own folder in it, `<pid>-<random>`, removed when the process exits. A
// process killed with SIGKILL cannot remove its folder: the first Breakglass process that needs the
// directory afterwards removes every folder whose process no longer runs.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let own: string | undefined;

/** The per-user directory (created 0700 when missing). Throws when it is unsafe to use. */
export function privateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const runtime = env.XDG_RUNTIME_DIR;
  const root = env.BREAKGLASS_PRIVATE_DIR || (runtime && isOwnDir(runtime, uid) ? join(runtime, 'breakglass') : join(tmpdir(), `breakglass-${uid ?? 'user'}`));
  try {
    mkdirSync(root, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create Breakglass's private directory ${root}: ${(e as Error).message}`);
  }
  const st = lstatSync(root);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`Breakglass's private directory ${root} is not a directory (a symbolic link or a file is in its place): remove it`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`Breakglass's private directory ${root} belongs to another user (uid ${st.uid}): remove it or set BREAKGLASS_PRIVATE_DIR`);
  if ((st.mode & 0o077) !== 0) chmodSync(root, 0o700);
  return root;
}

function isOwnDir(dir: string, uid: number | undefined): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && (uid === undefined || st.uid === uid);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the folders of processes that no longer run. Returns the names removed. */
export function sweepStale(root: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      /* someone else's sweep got there first */
    }
  }
  return removed;
}

/** This process's own folder in the private directory (made on first use, removed at exit). */
export function processDir(): string {
  if (own) {
    try {
      if (lstatSync(own).isDirectory()) return own;
    } catch {
      /* removed under us: make a new one */
    }
  }
  const root = privateRoot();
  sweepStale(root);
  own = mkdtempSync(join(root, `${process.pid}-`));
  const dir = own;
  process.once('exit', () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* exiting anyway */
    }
  });
  return dir;
}

/** A new folder for one use (a run's kubeconfig copy, a tabletop's kubeconfig), 0700. */
export function privateTempDir(prefix: string): string {
  return mkdtempSync(join(processDir(), `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
}
