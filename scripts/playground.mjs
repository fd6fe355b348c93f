#!/usr/bin/env node
// `npm start`: Breakglass in a browser. Packages the extension, installs the .vsix into a
// code-server of the project's own (VS Code 1.100.3, installed on first use) and serves it on
// 127.0.0.1 with runbooks/ as the workspace folder, until Ctrl+C.
//
// usage: node scripts/playground.mjs [--restricted] [--no-package]
//   PORT=N           port to listen on (default 8080; a free one when taken)
//   --restricted     keep workspace trust on: the folder opens in Restricted Mode until trusted
//   --no-package     install the existing dist/breakglass.vsix as it is
// Settings, state and extensions persist in .vscode-test/playground/ (gitignored).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  QUIET_SETTINGS, ROOT, codeServerEnv, ensureCodeServer, freePort, installVsix, setSignalExitCode, startCodeServer,
} from './lib/code-server.mjs';

const args = process.argv.slice(2);
const restricted = args.includes('--restricted');
const noPackage = args.includes('--no-package');
const home = join(ROOT, '.vscode-test/playground');
const dirs = {
  userData: join(home, 'user-data'),
  extensions: join(home, 'extensions'),
};
const folder = join(ROOT, 'runbooks');
const vsix = join(ROOT, 'dist/breakglass.vsix');

async function main() {
  ensureCodeServer();
  if (!noPackage) {
    console.log('Packaging the extension (npm run package)…');
    const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status})`);
  }
  for (const d of [dirs.userData, dirs.extensions, folder]) mkdirSync(d, { recursive: true });
  const settings = join(dirs.userData, 'User/settings.json');
  if (!existsSync(settings)) {
    const { 'security.workspace.trust.startupPrompt': _p, 'security.workspace.trust.banner': _b, ...rest } = QUIET_SETTINGS;
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(settings, JSON.stringify({ ...rest, 'workbench.startupEditor': 'none' }, null, 2));
  }
  const requested = Number(process.env.PORT || 8080);
  const env = codeServerEnv(undefined);
  console.log(installVsix(vsix, dirs.extensions, env).split('\n').pop());

  const port = await freePort(requested);
  if (port !== requested) console.log(`Port ${requested} is taken: using ${port}.`);
  const logFile = join(home, 'code-server.log');
  const server = await startCodeServer({
    port,
    dirs,
    env,
    trust: !restricted,
    logFile,
    // The config file stays in the playground folder instead of ~/.config/code-server.
    extraArgs: ['--config', join(home, 'config.yaml')],
  });
  const url = `${server.url}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
  console.log(`Breakglass playground: ${url}`);
  console.log(`(code-server log: ${logFile}; Ctrl+C stops it)`);
  setSignalExitCode(0);
  const e = await server.exit;
  console.error(`code-server stopped (code ${e.code}, signal ${e.signal}); see ${logFile}`);
  process.exit(1);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
