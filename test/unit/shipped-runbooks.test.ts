import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunbook } from '../../src/runbook/parse';
import { parseAction } from '../../src/breakglass';

const DIR = join(__dirname, '../../../runbooks');

describe('shipped runbooks', () => {
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.md'))) {
    it(`${f} parses without errors and its break-glass steps are valid actions`, () => {
      const { runbook } = parseRunbook(readFileSync(join(DIR, f), 'utf8'), f);
      assert.equal(runbook.isRunbook, true);
      assert.deepEqual(runbook.diagnostics.filter((d) => d.severity !== 'info'), []);
      for (const s of runbook.steps.filter((x) => x.kind === 'breakglass')) {
        assert.deepEqual(parseAction(s.spec).problems, [], `${s.id}`);
      }
    });
  }
});
