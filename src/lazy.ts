// Lazy modules that are required where the caller cannot wait for `await import()`: the first call
// requires the package, later ones get Node's module cache. In dist/ each is a file of its own
// (esbuild.config.mjs, LAZY), evaluated on that first call rather than when the bundle loads, so
// activation does not load them (a runbook's front matter, a kubeconfig or a preflight config
// loads the YAML parser; the first runbook parsed loads markdown-it). etcd3 and ssh2 are loaded
// the same way by src/breakglass/modules.ts, which reports a failure as an ActionError.
import type MarkdownIt from 'markdown-it';

/** The YAML parser (yaml 2). */
export function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

/** markdown-it's class (its CommonJS build, in Node as in dist/markdown-it.js). */
export function markdownIt(): typeof MarkdownIt {
  return require('markdown-it') as typeof MarkdownIt;
}
