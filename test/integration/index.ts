// Entry point of the integration suites: VS Code loads this module inside the extension host
// (extensionTestsPath) and awaits run().
//
// Which files run depends on the workspace trust the editor was started with:
//   - trusted workspace:   every `*.test.js` except `*.untrusted.test.js`;
//   - untrusted workspace: only `*.untrusted.test.js` (Restricted Mode).
// BREAKGLASS_TEST_TRUST=trusted|untrusted (set by scripts/vscode-tests.mjs) chooses explicitly;
// without it the choice follows vscode.workspace.isTrusted. BREAKGLASS_TEST_GREP, when set,
// keeps only the tests whose full title matches it (a regular expression).
//
// At the end one line `BREAKGLASS-RESULT passed=N failed=M pending=P trust=T` goes to the console:
// the workbench forwards it to the test runner, which adds it to the totals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import * as vscode from 'vscode';
import Mocha from 'mocha';

type Trust = 'trusted' | 'untrusted';

const UNTRUSTED_SUFFIX = '.untrusted.test.js';

function trustMode(): Trust {
  const env = process.env.BREAKGLASS_TEST_TRUST;
  if (env === 'trusted' || env === 'untrusted') return env;
  return vscode.workspace.isTrusted ? 'trusted' : 'untrusted';
}

/** Every `*.test.js` below dir, sorted, as absolute paths. */
function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function selectFiles(files: string[], trust: Trust): string[] {
  return files.filter((f) => f.endsWith(UNTRUSTED_SUFFIX) === (trust === 'untrusted'));
}

export async function run(): Promise<void> {
  const trust = trustMode();
  // The workbench forwards each console call as one message and drops printf-style formatting:
  // format mocha's reporter lines here.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.BREAKGLASS_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));

  const files = selectFiles(testFiles(__dirname), trust);
  for (const f of files) mocha.addFile(f);
  console.log(
    `[breakglass-tests] ${trust} workspace (isTrusted=${vscode.workspace.isTrusted}), VS Code ${vscode.version}, ` +
      `${files.length} file(s): ${files.map((f) => path.relative(__dirname, f)).join(', ') || '(none)'}`,
  );

  let passed = 0;
  let failed = 0;
  let pending = 0;
  try {
    await mocha.loadFilesAsync();
    failed = await new Promise<number>((resolve) => {
      const runner = mocha.run((failures) => resolve(failures));
      runner.on('pass', () => passed++);
      runner.on('pending', () => pending++);
    });
  } catch (err) {
    // A suite that cannot even load counts as one failure, with its reason.
    console.error('[breakglass-tests] could not run the suites:', err instanceof Error ? err.stack : err);
    failed += 1;
  }
  console.log(`BREAKGLASS-RESULT passed=${passed} failed=${failed} pending=${pending} trust=${trust}`);
  if (failed > 0) throw new Error(`${failed} integration test(s) failed (${trust} workspace)`);
  // An empty run is a broken harness, unless a grep filtered everything out on purpose.
  if (!grep && passed === 0) throw new Error(`no integration test ran (${trust} workspace)`);
}
