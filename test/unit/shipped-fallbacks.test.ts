// Every branch a shipped runbook promises is reachable within its step's timeout on a saturated
// cluster: each shell step with a fallback its API calls lead to (the steps the unbounded-api-call
// check looks at, found the same way) runs with the real kubectl against the seed scenario's
// prod-east held at T+5m — saturated, the ordinary user's requests answered with 429s — and must
// end by itself, succeeded or failed, before its timeout: never killed by the timeout, which would
// take its fallback with it (kubectl retries 429s, so --request-timeout alone does not bound it).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiCalls } from '../../src/runbook/bounded';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession } from '../../src/runbook/session';
import { kubectlPath } from './helpers/kubectl';
import { CLI, serveHeld, type Served } from './helpers/sim-serve';

const DIR = resolve(__dirname, '../../../runbooks');

/** Shell steps of the shipped runbooks that run in SIMULATED mode and whose API calls a branch waits on. */
function stepsWithFallbacks(): Array<{ file: string; id: string; timeoutMs: number }> {
  const out: Array<{ file: string; id: string; timeoutMs: number }> = [];
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.md')).sort()) {
    const { runbook } = parseRunbook(readFileSync(join(DIR, f), 'utf8'), f);
    for (const s of runbook.steps) {
      if (s.kind !== 'shell' || s.mode === 'real' || !apiCalls(s.body).some((c) => c.handled)) continue;
      out.push({ file: f, id: s.id, timeoutMs: s.timeoutMs ?? 600_000 });
    }
  }
  return out;
}

describe('shipped runbooks: every fallback is reached within its step timeout on a saturated cluster (real kubectl)', function () {
  this.timeout(900_000);
  const steps = stepsWithFallbacks();
  let dir = '';
  let s: Served | undefined;
  let PATH: string | undefined;
  before(async function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bg-fallbacks-'));
    PATH = kubectlPath(dir);
    if (!PATH) this.skip();
    s = await serveHeld('prod-east', '5m', dir);
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the steps to run (the incident runbooks have several)', () => {
    assert.ok(steps.length >= 5, JSON.stringify(steps));
    assert.ok(steps.some((x) => x.file === 'api-server-overload.md' && x.id === 'readyz'));
  });

  // As an on-call person runs them: one session per runbook, its steps in order (a step may use
  // what an earlier one exported). Once as shipped (break-glass reads through the exempt
  // sim-breakglass context), once with BREAKGLASS_CONTEXT pointing at the ordinary, throttled
  // context, so that the fallbacks of those reads are taken too.
  for (const pass of [{ name: 'as shipped', env: {} }, { name: 'BREAKGLASS_CONTEXT=sim (throttled)', env: { BREAKGLASS_CONTEXT: 'sim' } }]) {
    for (const file of [...new Set(steps.map((x) => x.file))]) {
      describe(`${file}, ${pass.name}`, () => {
        let session: RunSession | undefined;
        const out = new Map<string, string>();
        before(function () {
          if (!PATH) this.skip();
          const { runbook } = parseRunbook(readFileSync(join(DIR, file), 'utf8'), file);
          session = new RunSession({
            runbookPath: join(DIR, file),
            runbook,
            journalDir: join(dir, 'journal', file, pass.name.replace(/\W+/g, '-')),
            target: { mode: 'sim', kubeconfig: s!.kubeconfig },
            prompter: { confirm: async () => true, confirmTargets: async () => false, askParam: async (p) => p.default },
            via: 'cli',
            env: { PATH, HOME: dir, ...pass.env },
          });
          session.onEvent((e) => {
            if (e.type === 'output') out.set(e.stepId, (out.get(e.stepId) ?? '') + e.text);
          });
        });
        after(() => session?.dispose());

        for (const { id, timeoutMs } of steps.filter((x) => x.file === file)) {
          it(`${id}: ends by itself within its ${timeoutMs / 1000} s`, async () => {
            const t0 = Date.now();
            const state = await session!.runStep(id);
            const ms = Date.now() - t0;
            const reason = session!.states.get(id)?.reason ?? '';
            const said = (out.get(id) ?? '').slice(-800);
            assert.ok(state === 'succeeded' || state === 'failed', `${state}: ${reason}\n${said}`);
            assert.doesNotMatch(reason, /timed out/, `killed by its timeout, its fallback with it:\n${said}`);
            assert.ok(ms < timeoutMs, `${ms} ms of ${timeoutMs}`);
          });
        }
      });
    }
  }
});
