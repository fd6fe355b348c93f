#!/usr/bin/env node
// `npm start`: Breakglass in a browser. Packages the extension, installs the .vsix into a
// code-server of the project's own (VS Code 1.100.3, installed on first use) and serves it on
// 127.0.0.1 with runbooks/ as the workspace folder, until Ctrl+C. The window opens onto the
// walkthrough "Rehearse an API-server outage".
//
// usage: node scripts/playground.mjs [--restricted] [--no-package] [--no-walkthrough]
//   PORT=N           port to listen on (default 8080; a free one when taken)
//   --restricted     keep workspace trust on: the folder opens in Restricted Mode until trusted
//   --no-package     install the existing dist/breakglass.vsix as it is
//   --no-walkthrough open onto an empty window instead of the walkthrough
//   BREAKGLASS_PLAYGROUND_DIR=DIR  keep settings, state and extensions in DIR instead
//   BREAKGLASS_PLAYGROUND_FOLDER=DIR  open DIR as the workspace folder instead of runbooks/
// Settings, state and extensions persist in .vscode-test/playground/ (gitignored), or in
// $BREAKGLASS_PLAYGROUND_DIR (test/e2e/playground.mjs gives it a throw-away folder).
//
// Opening the walkthrough: VS Code has no setting that opens one extension's walkthrough at
// startup (`workbench.welcomePage.walkthroughs.openOnInstall` acts only on installs made from the
// running window, and `workbench.startupEditor` opens the Welcome page, not a walkthrough). So the
// playground installs a two-file helper extension of its own, next to Breakglass and nowhere else:
// on startup it runs `workbench.action.openWalkthrough` with `breakglass.breakglass#tabletop`, once
// per `npm start` (a reload does not reopen it). It depends on Breakglass, so Breakglass activates
// first and the status bar shows SIMULATED from the start. The .vsix of Breakglass is unchanged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  QUIET_SETTINGS, ROOT, codeServerEnv, ensureCodeServer, freePort, installVsix, setSignalExitCode, startCodeServer,
} from './lib/code-server.mjs';

const args = process.argv.slice(2);
const restricted = args.includes('--restricted');
const noPackage = args.includes('--no-package');
const walkthrough = !args.includes('--no-walkthrough');
const home = process.env.BREAKGLASS_PLAYGROUND_DIR
  ? resolve(process.env.BREAKGLASS_PLAYGROUND_DIR)
  : join(ROOT, '.vscode-test/playground');
const dirs = {
  userData: join(home, 'user-data'),
  extensions: join(home, 'extensions'),
};
const folder = process.env.BREAKGLASS_PLAYGROUND_FOLDER ? resolve(process.env.BREAKGLASS_PLAYGROUND_FOLDER) : join(ROOT, 'runbooks');
const vsix = join(ROOT, 'dist/breakglass.vsix');
const helperDir = join(home, 'walkthrough-helper');
const helperVsix = join(home, 'walkthrough-helper.vsix');

/** The walkthrough the playground opens onto: `<publisher>.<name>#<walkthrough id>` of package.json. */
const WALKTHROUGH = 'breakglass.breakglass#tabletop';
/** Set for code-server (and so for the extension host) when the walkthrough should open. */
const WALKTHROUGH_ENV = 'BREAKGLASS_PLAYGROUND_WALKTHROUGH';

const HELPER_PACKAGE = {
  name: 'playground-walkthrough',
  publisher: 'breakglass',
  displayName: 'Breakglass playground: walkthrough on start',
  description: 'Opens the Breakglass walkthrough when the playground starts. Installed by `npm start` only.',
  version: '1.0.0',
  license: 'MIT',
  private: true,
  engines: { vscode: '^1.100.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  extensionDependencies: ['breakglass.breakglass'],
};

const HELPER_CODE = `// Opens ${WALKTHROUGH} once per playground start (scripts/playground.mjs).
const vscode = require('vscode');
exports.activate = async (context) => {
  const stamp = process.env.${WALKTHROUGH_ENV};
  if (!stamp || context.globalState.get('openedFor') === stamp) return;
  await context.globalState.update('openedFor', stamp);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', ${JSON.stringify(WALKTHROUGH)}, false);
};
exports.deactivate = () => {};
`;

/** Writes and packages the helper extension; packages again only when its files changed. */
function helperExtension() {
  mkdirSync(helperDir, { recursive: true });
  let changed = !existsSync(helperVsix);
  for (const [name, text] of [['package.json', `${JSON.stringify(HELPER_PACKAGE, null, 2)}\n`], ['extension.js', HELPER_CODE]]) {
    const file = join(helperDir, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writeFileSync(file, text);
    changed = true;
  }
  if (!changed) return helperVsix;
  const vsce = join(ROOT, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', helperVsix], { cwd: helperDir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging the walkthrough helper failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return helperVsix;
}

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
  // A new value each start: the helper opens the walkthrough once for it.
  const env = codeServerEnv(undefined, walkthrough ? { [WALKTHROUGH_ENV]: String(Date.now()) } : {});
  if (!walkthrough) delete env[WALKTHROUGH_ENV];
  console.log(installVsix(vsix, dirs.extensions, env).split('\n').pop());
  if (walkthrough) console.log(installVsix(helperExtension(), dirs.extensions, env).split('\n').pop());

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
