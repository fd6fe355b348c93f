import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../../src/analysis/explain';

describe('docs/RULES.md', () => {
  it('is generated from the rule registry (regenerate with: npx breakglass lint --list-rules > docs/RULES.md)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/RULES.md'), 'utf8');
    assert.equal(doc.trimEnd(), renderRulesMarkdown().trimEnd());
  });
});
