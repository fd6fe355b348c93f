// @vscode/test-cli configuration: the integration suites in desktop VS Code, where a desktop build
// can be downloaded (`npx vscode-test` after `npm run build`). The same suites run in code-server
// through `npm run test:vscode` (scripts/vscode-tests.mjs).
//   trusted:   every out/test/integration/**/*.test.js except *.untrusted.test.js
//   untrusted: only *.untrusted.test.js, with workspace trust left on (Restricted Mode)
import { defineConfig } from '@vscode/test-cli';

const common = {
  version: '1.100.3',
  workspaceFolder: 'test/fixtures/workspace',
  mocha: { ui: 'bdd', timeout: 60_000, color: false },
};

export default defineConfig({
  tests: [
    {
      ...common,
      label: 'trusted',
      files: 'out/test/integration/**/!(*.untrusted).test.js',
      launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
      env: { BREAKGLASS_TEST_TRUST: 'trusted' },
    },
    {
      ...common,
      label: 'untrusted',
      files: 'out/test/integration/**/*.untrusted.test.js',
      launchArgs: ['--disable-extensions'],
      env: { BREAKGLASS_TEST_TRUST: 'untrusted' },
    },
  ],
});
