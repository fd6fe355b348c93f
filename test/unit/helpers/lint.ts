// Runs `breakglass lint` in-process and returns its exit status and output; where its test inputs are.
import { join, resolve } from 'node:path';
import { lintCommand } from '../../../src/cli/lint';

// Bundled into out/test/unit/*.test.js: __dirname is out/test/unit.
export const ROOT = resolve(__dirname, '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures/manifests');
/** The shared manifest corpus, beside the repository (CI copies shared/ there). */
export const CORPUS = join(ROOT, '../shared/corpus/manifests');

export async function lint(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await lintCommand(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
