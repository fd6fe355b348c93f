// Shared pieces of the in-editor test runners and the playground: code-server (VS Code 1.100.3
// served to a browser, with the real extension host on Node) and headless Chromium through
// playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'test/artifacts');
export const CODE_SERVER_DIR = process.env.CODE_SERVER_DIR || join(ROOT, '.vscode-test/code-server');
export const CODE_SERVER_BIN = join(CODE_SERVER_DIR, 'node_modules/.bin/code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const FIXTURE_WORKSPACE = join(ROOT, 'test/fixtures/workspace');

// ---------------------------------------------------------------------------------------------
// Clean-up that runs however the process ends: normal exit, an exception, Ctrl+C, SIGTERM.

const cleanups = new Set();

/** Runs fn (synchronous) when the process ends; returns a function that runs it now instead. */
export function onCleanup(fn) {
  const once = () => {
    if (!cleanups.delete(once)) return;
    try {
      fn();
    } catch {
      /* best effort */
    }
  };
  cleanups.add(once);
  return once;
}

function runCleanups() {
  for (const fn of [...cleanups].reverse()) fn();
}
let signalExitCode;
/** The exit code after Ctrl+C/SIGTERM (default 128 + signal number). */
export function setSignalExitCode(code) {
  signalExitCode = code;
}
process.on('exit', runCleanups);
for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.on(sig, () => {
    runCleanups();
    process.exit(signalExitCode ?? 128 + num);
  });
}

// ---------------------------------------------------------------------------------------------

/** Installs code-server and the Debian packages when missing (a quick no-op otherwise). */
export function ensureCodeServer() {
  const r = spawnSync('bash', [join(ROOT, 'scripts/install-code-server.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/install-code-server.sh failed (exit ${r.status ?? r.signal})`);
}

/** A free TCP port on 127.0.0.1: `preferred` when it is free, else one the system picks. */
export async function freePort(preferred = 0) {
  const tryPort = (port) =>
    new Promise((res) => {
      const srv = createServer();
      srv.once('error', () => res(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => res(p));
      });
    });
  return (preferred && (await tryPort(preferred))) || (await tryPort(0));
}

/**
 * Fresh folders for one code-server + Chromium instance, removed at the end
 * (kept when BREAKGLASS_KEEP_TMP=1, to look into them).
 */
export function tempDirs(prefix) {
  const root = mkdtempSync(join(tmpdir(), `breakglass-${prefix}-`));
  const d = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    xdgConfig: join(root, 'xdg-config'),
    xdgData: join(root, 'xdg-data'),
    xdgCache: join(root, 'xdg-cache'),
    tmp: join(root, 'tmp'),
    profile: join(root, 'chromium-profile'),
    workspace: join(root, 'workspace'),
  };
  for (const [k, v] of Object.entries(d)) if (k !== 'root' && k !== 'workspace') mkdirSync(v, { recursive: true });
  if (process.env.BREAKGLASS_KEEP_TMP !== '1') onCleanup(() => rmSync(root, { recursive: true, force: true }));
  return d;
}

/** A copy of the fixture workspace (tests may write into it). */
export function copyWorkspace(to, from = FIXTURE_WORKSPACE) {
  cpSync(from, to, { recursive: true });
  return to;
}

/** Settings that keep the workbench quiet and deterministic (no welcome page, no trust prompt). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
};

export function writeUserSettings(userDataDir, settings = QUIET_SETTINGS) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(settings, null, 2));
}

/** The environment code-server (and so the extension host, which inherits it) runs with. */
export function codeServerEnv(dirs, extra = {}) {
  const env = { ...process.env, ...extra };
  if (dirs) {
    Object.assign(env, {
      XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_DATA_HOME: dirs.xdgData,
      XDG_CACHE_HOME: dirs.xdgCache,
      TMPDIR: dirs.tmp,
    });
  }
  // code-server must not think it runs inside another VS Code's terminal.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  delete env.ELECTRON_RUN_AS_NODE;
  // code-server lets $PORT and $CODE_SERVER_HOST override --bind-addr, and reads its config file
  // from $CODE_SERVER_CONFIG: the command line decides here.
  for (const k of ['PORT', 'CODE_SERVER_HOST', 'CODE_SERVER_CONFIG', 'PASSWORD', 'HASHED_PASSWORD']) delete env[k];
  return env;
}

/** `code-server --install-extension VSIX` into extensionsDir. */
export function installVsix(vsix, extensionsDir, env) {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  const r = spawnSync(
    CODE_SERVER_BIN,
    ['--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { env, encoding: 'utf8' },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
  }
  return out.trim();
}

/**
 * Starts code-server on 127.0.0.1:port. `trust`: false leaves workspace trust on (folders open in
 * Restricted Mode until trusted); true passes --disable-workspace-trust. Resolves once /healthz
 * answers. The returned stop() ends code-server's whole process group (extension host included).
 */
export async function startCodeServer({ port, dirs, trust = true, env, logFile, extraArgs = [], userDataDir, extensionsDir }) {
  if (!existsSync(CODE_SERVER_BIN)) throw new Error(`code-server is not installed (${CODE_SERVER_BIN}): run scripts/install-code-server.sh`);
  const args = [
    '--user-data-dir', userDataDir ?? dirs.userData,
    '--extensions-dir', extensionsDir ?? dirs.extensions,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? ['--disable-workspace-trust'] : []),
    ...extraArgs,
  ];
  let log;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    log = createWriteStream(logFile);
    log.write(`$ code-server ${args.join(' ')}\n`);
  }
  // Own process group, so that stop() reaches the extension host and the other children too.
  const proc = spawn(CODE_SERVER_BIN, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  for (const s of [proc.stdout, proc.stderr]) {
    s.on('data', (b) => {
      log?.write(b);
      output.push(String(b));
      if (output.length > 200) output.shift();
    });
  }
  let exited = null;
  const exit = new Promise((res) => proc.on('exit', (code, signal) => res((exited = { code, signal }))));
  const killGroup = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const kill = onCleanup(() => killGroup('SIGKILL'));
  const stop = async () => {
    if (!exited) {
      killGroup('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    }
    kill(); // SIGKILL for whatever is left in the group
    log?.end();
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthz(url, 60_000, () => exited, () => output.join(''));
  } catch (e) {
    await stop();
    throw e;
  }
  return { proc, url, port, stop, exit, exited: () => exited, output: () => output.join('') };
}

async function waitForHealthz(url, timeoutMs, exited, output) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const e = exited();
    if (e) throw new Error(`code-server exited (code ${e.code}, signal ${e.signal}) before answering:\n${output()}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s:\n${output()}`);
}

/** Headless Chromium with a throw-away profile; closed at the end whatever happens. */
export async function launchChromium(profileDir, { viewport = { width: 1400, height: 900 } } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/install-code-server.sh (Debian package chromium)`);
  const { chromium } = await import('playwright-core');
  // Playwright refuses --user-data-dir in args: the profile is launchPersistentContext's argument.
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Playwright also kills the browser when this process exits; this closes it politely first.
  onCleanup(() => void ctx.close().catch(() => {}));
  return ctx;
}

/** Rejects after ms with message; the timer never keeps the process alive. */
export function timeout(ms, message) {
  return new Promise((_, rej) => setTimeout(() => rej(new Error(message)), ms).unref());
}

export function fmtSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---- helpers of the UI tests ----------------------------------------------------------------

export const STEP_TIMEOUT_MS = Number(process.env.BREAKGLASS_E2E_STEP_TIMEOUT || 60) * 1000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn() until it returns a truthy value; throws `message()` (with the last value) at the deadline. */
export async function until(fn, { timeout = STEP_TIMEOUT_MS, interval = 250, message }) {
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e.fatal) throw e;
      lastErr = e;
    }
    await sleep(interval);
  }
  const why = lastErr && !last ? ` (last error: ${lastErr.message.split('\n')[0]})` : '';
  throw new Error(`${message(last)}${why}`);
}

/** A screenshot into test/artifacts/ (undefined when there is no page or it cannot be taken). */
export async function screenshot(page, name) {
  if (!page) return undefined;
  const file = join(ARTIFACTS, name);
  try {
    await page.screenshot({ path: file });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * Runs UI tests in order and prints a line per test. After a failure the rest are reported as not
 * run, except those marked `always` (clean-up checks); a failure takes a screenshot of `page()`.
 */
export async function runTests(tests, { page, failureScreenshot }) {
  const results = [];
  for (const t of tests) {
    const t0 = Date.now();
    if (!t.always && results.some((r) => !r.ok)) {
      results.push({ name: t.name, ok: false, error: 'not run: an earlier test failed' });
      console.log(`  ✗ ${t.name}\n      not run: an earlier test failed`);
      continue;
    }
    try {
      await t.run();
      results.push({ name: t.name, ok: true, seconds: (Date.now() - t0) / 1000 });
      console.log(`  ✔ ${t.name} (${fmtSeconds(Date.now() - t0)})`);
    } catch (e) {
      const shot = await screenshot(page(), failureScreenshot);
      results.push({ name: t.name, ok: false, error: e.message, seconds: (Date.now() - t0) / 1000 });
      console.log(`  ✗ ${t.name} (${fmtSeconds(Date.now() - t0)})\n      ${e.message.replace(/\n/g, '\n      ')}`);
      if (shot) console.log(`      screenshot: ${shot}`);
    }
  }
  return results;
}
