import assert from 'node:assert/strict';
import { STEP_KINDS, kindForLang, kindOf } from '../../src/runbook/kinds';
import type { StepKind } from '../../src/runbook/model';
import { parseRunbook } from '../../src/runbook/parse';
import { renderRunbookHtml } from '../../src/runbook/render';
import { RunSession } from '../../src/runbook/session';

// Every StepKind, written out: adding a kind to the model without listing it here does not compile.
const ALL_KINDS: Record<StepKind, true> = { shell: true, health: true, breakglass: true, check: true };

/** A body each kind accepts without errors. */
const BODIES: Record<StepKind, string> = {
  shell: 'echo hi',
  health: 'signals: readyz',
  breakglass: 'action: etcd-delete\nkeys: [/registry/daemonsets/monitoring/agent]',
  check: 'run: "true"',
};

describe('step kinds registry', () => {
  it('has one definition for every StepKind, and no other', () => {
    for (const k of Object.keys(ALL_KINDS) as StepKind[]) assert.equal(kindOf(k).kind, k, `kindOf('${k}')`);
    assert.deepEqual(STEP_KINDS.map((k) => k.kind).sort(), Object.keys(ALL_KINDS).sort());
  });

  it('gives each fence language to one kind only', () => {
    const owner = new Map<string, string>();
    for (const k of STEP_KINDS) {
      assert.ok(k.languages.length > 0, `${k.kind} claims no fence language`);
      for (const l of k.languages) {
        assert.equal(l, l.toLowerCase(), `${k.kind}: languages are looked up in lower case`);
        assert.equal(owner.get(l), undefined, `'${l}' is claimed by ${owner.get(l)} and ${k.kind}`);
        owner.set(l, k.kind);
      }
    }
  });

  it('makes a step of its kind from each of its languages, in any case', () => {
    for (const k of STEP_KINDS) {
      for (const l of k.languages) {
        assert.equal(kindForLang(l.toUpperCase())?.kind, k.kind);
        const { runbook } = parseRunbook(`---\nrunbook: true\n---\n\n\`\`\`${l}\n${BODIES[k.kind]}\n\`\`\`\n`);
        assert.equal(runbook.steps.length, 1, `${l}: ${JSON.stringify(runbook.diagnostics)}`);
        assert.equal(runbook.steps[0].kind, k.kind, l);
        assert.deepEqual(runbook.diagnostics.filter((d) => d.severity === 'error'), [], l);
      }
    }
  });

  it('renders each kind with its icon, Run controls only for kinds that run, and its body escaped', () => {
    for (const k of STEP_KINDS) {
      const lang = k.languages[0];
      // A body that is HTML: shown as text, never as markup (and for YAML kinds, a title attribute too).
      const body = k.kind === 'shell' ? 'echo "<script>alert(1)</script>"' : `${BODIES[k.kind]}\n# <img src=x onerror=alert(1)>`;
      const html = renderRunbookHtml(parseRunbook(`---\nrunbook: true\n---\n\n\`\`\`${lang} {name=s1 description="<b>x</b>"}\n${body}\n\`\`\`\n`));
      assert.match(html, new RegExp(`data-kind="${k.kind}"`));
      assert.ok(html.includes(`codicon-${k.icon}"`), `${k.kind}: icon ${k.icon}`);
      assert.equal(html.includes('data-action="run"'), k.run !== undefined, `${k.kind}: Run button`);
      assert.ok(!/<script|<img|<b>/.test(html), `${k.kind}: raw HTML in ${html}`);
    }
  });

  it('leaves kinds that are only shown out of Run All, and says why one of their steps cannot run', () => {
    // One step of each kind, in registry order.
    const text = `---\nrunbook: true\n---\n\n${STEP_KINDS.map((k, i) => `\`\`\`${k.languages[0]} {name=s${i}}\n${BODIES[k.kind]}\n\`\`\`\n`).join('\n')}`;
    const { runbook } = parseRunbook(text);
    assert.equal(runbook.steps.length, STEP_KINDS.length);
    const prompter = { confirm: async () => false, confirmTargets: async () => false, askParam: async () => undefined };
    const session = new RunSession({ runbookPath: '/nonexistent/rb.md', runbook, journalDir: '/nonexistent/journal', target: { mode: 'sim' }, prompter, via: 'cli' });
    try {
      assert.deepEqual(
        session.runAllSteps().map((s) => s.kind),
        STEP_KINDS.filter((k) => k.run !== undefined).map((k) => k.kind),
      );
      const shown = runbook.steps.filter((s) => kindOf(s.kind).run === undefined);
      assert.ok(shown.length > 0);
      for (const s of shown) assert.match(session.blocker(s) ?? '', /shown, not run/, `${s.kind}: no reason given`);
      // Kinds that run are not blocked by their kind (a break-glass step in simulated mode is: it
      // acts on a tabletop's clusters, and this session has none).
      const runnable = runbook.steps.filter((s) => kindOf(s.kind).run !== undefined && s.kind !== 'breakglass');
      for (const s of runnable) assert.equal(session.blocker(s), undefined, s.kind);
    } finally {
      session.dispose();
    }
  });
});
