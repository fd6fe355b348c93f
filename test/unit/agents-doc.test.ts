import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENTS, renderAgentsMarkdown } from '../../src/analysis/agents';

describe('the agent catalogue', () => {
  it('docs/AGENTS.md is generated from it (regenerate with: npx breakglass lint --list-agents > docs/AGENTS.md)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/AGENTS.md'), 'utf8');
    assert.equal(doc.trimEnd(), renderAgentsMarkdown().trimEnd());
  });

  it('each agent has a unique id, a summary and at least one source', () => {
    const ids = new Set<string>();
    for (const a of AGENTS) {
      assert.ok(!ids.has(a.id), `duplicate id ${a.id}`);
      ids.add(a.id);
      assert.ok(a.summary.length > 20, `${a.id}: summary`);
      assert.ok(a.sources.length >= 1, `${a.id}: sources`);
    }
  });

  it('covers at least 40 agents, across every category', () => {
    assert.ok(AGENTS.length >= 40, `${AGENTS.length} agents`);
    for (const c of ['cni', 'service-proxy', 'dns', 'logs', 'metrics', 'security', 'node', 'controller']) assert.ok(AGENTS.some((a) => a.category === c), c);
  });
});
