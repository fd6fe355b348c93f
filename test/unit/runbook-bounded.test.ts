// Every branch a shell step promises is reachable within its timeout: kubectl retries 429s (up to
// ten times, honouring Retry-After), so a fallback after an unbounded kubectl never runs against a
// saturated API server. The check that says so, the shipped runbooks it keeps honest, and the
// detect step of api-server-overload.md run for real (real kubectl, the seed tabletop's clusters):
// it prints its verdict within its timeout on a healthy cluster and on a saturated one.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiCalls, unboundedCalls } from '../../src/runbook/bounded';
import { parseRunbook } from '../../src/runbook/parse';
import { RunSession } from '../../src/runbook/session';
import { parseScenario } from '../../src/sim/scenario';
import { Tabletop } from '../../src/tabletop/tabletop';
import { kubectlPath } from './helpers/kubectl';

const ROOT = resolve(__dirname, '../../..');
const SEED = join(ROOT, 'runbooks/scenarios/telemetry-rollout-2024-12-11.yaml');
const RUNBOOK = join(ROOT, 'runbooks/api-server-overload.md');

describe('bounded API calls in shell steps', () => {
  it('flags an unbounded kubectl followed by a fallback, with the line and a bound that fits the timeout', () => {
    const body = "echo checking\nkubectl get --raw /readyz --request-timeout=10s || echo 'did not answer: go to section 4'";
    const p = unboundedCalls(body, 20_000);
    assert.equal(p.length, 1);
    assert.equal(p[0].line, 1);
    assert.match(p[0].message, /retries 429s up to 10 times/);
    assert.match(p[0].message, /timeout 18s kubectl/);
  });

  it('accepts `timeout N kubectl` (with options), and a step without any fallback', () => {
    assert.deepEqual(unboundedCalls("timeout 15s kubectl get --raw /readyz || echo no", 20_000), []);
    assert.deepEqual(unboundedCalls("timeout -k 2 15 kubectl get --raw /readyz || echo no", 20_000), []);
    assert.deepEqual(unboundedCalls("timeout --signal=KILL 15s kubectl get --raw /readyz || echo no", 20_000), []);
    assert.deepEqual(unboundedCalls('kubectl get pods -A --request-timeout=20s | head', 30_000), [], 'no other branch: a timeout is the only outcome');
    assert.deepEqual(unboundedCalls('kubectl get pods || exit 1', 30_000), [], '`|| exit` ends the step as a timeout would');
  });

  it('counts only fallbacks after the call, in command position, outside comments', () => {
    assert.deepEqual(unboundedCalls('test -f x || echo missing\nkubectl get pods', 30_000), [], 'the branch comes before the call');
    assert.equal(unboundedCalls('x=$(kubectl get ns -o name)\ntest -n "$x" || echo "nothing read"', 30_000).length, 1, 'a check after a hung call is lost too');
    assert.equal(unboundedCalls('if kubectl delete ds a; then echo ok; else echo "use section 4"; fi', 60_000).length, 1);
    assert.deepEqual(unboundedCalls('echo "run kubectl get pods" || true # kubectl || x', 30_000), [], 'a word in a string or a comment is no call');
    assert.deepEqual(apiCalls('helm list; oc get pods\n  kubectl version').map((c) => [c.client, c.line]), [['helm', 0], ['oc', 0], ['kubectl', 1]]);
    assert.deepEqual(apiCalls('ns=${NS:-$(kubectl get ns -o name | head -1)}\n[ -n "$ns" ] || echo none').map((c) => [c.client, c.line, c.handled]), [['kubectl', 0, true]], 'a call in a default value is a call');
    assert.deepEqual(unboundedCalls('kubectl get pods # || echo fallback', 30_000), [], 'an || in a comment is no branch');
  });

  it("follows the step's own functions: a call in one is handled where a branch waits on the function", () => {
    const handled = (body: string): Array<[number, boolean]> => apiCalls(body).map((c) => [c.line, c.handled]);
    assert.deepEqual(handled('check() {\n  kubectl get --raw /readyz\n}\ncheck || echo "go to section 4"'), [[1, true]]);
    assert.deepEqual(handled('function check {\n  kubectl get --raw /readyz\n}\nif ! check; then echo down; fi'), [[1, true]]);
    assert.deepEqual(handled('get() { kubectl get pods; }\ncheck() { echo start; get; }\ncheck || echo fallback'), [[0, true]], 'through a function it calls');
    assert.deepEqual(handled('loop() { kubectl get x; loop; }\nloop || echo again'), [[0, true]], 'a recursive one is followed once');
    assert.deepEqual(handled('check() { kubectl get pods; }\ncheck\necho no branch'), [[0, false]], 'called where no branch waits');
    assert.deepEqual(handled('check() { kubectl get pods; }'), [[0, false]], 'defined, never called');
    assert.equal(unboundedCalls('check() {\n  kubectl get --raw /readyz\n}\ncheck || echo "go to section 4"', 60_000)[0]?.line, 1, 'the problem points at the call, in the function');
  });

  it('reads an arithmetic command: a call in it is handled where a branch waits on its false', () => {
    const handled = (body: string): Array<[number, boolean]> => apiCalls(body).map((c) => [c.line, c.handled]);
    assert.deepEqual(handled('(( $(kubectl get nodes --no-headers | wc -l) > 3 )) || echo "too few nodes answered"'), [[0, true]]);
    assert.deepEqual(handled('while (( $(kubectl get pods --no-headers | grep -c Pending) > 0 )); do sleep 5; done\necho settled'), [[0, true]]);
    assert.deepEqual(handled('n=0\n(( n += $(kubectl get ns --no-headers | wc -l) ))\necho $n'), [[1, false]], 'no branch on it');
  });

  it('flags a call only where a branch waits on it, as the shell groups the step', () => {
    const flagged = (body: string): number[] => unboundedCalls(body, 60_000).map((p) => p.line);
    // Waiting on the call: ||, && … ||, if/until/while conditions (through a pipeline), $?, an emptiness test of its output.
    assert.deepEqual(flagged('kubectl get ns x && echo there || kubectl create ns x'), [0]);
    assert.deepEqual(flagged('until kubectl get pods -o json | jq -e ".items | length > 0"; do sleep 2; done'), [0]);
    assert.deepEqual(flagged('while ! kubectl apply -f x.yaml; do sleep 5; done\necho applied'), [0]);
    assert.deepEqual(flagged('kubectl rollout status ds/a\nif [ $? -ne 0 ]; then echo "go to section 4"; fi'), [0]);
    assert.deepEqual(flagged('POD=$(kubectl get pods -l app=a -o name)\nif [ -z "$POD" ]; then echo none; fi'), [0]);
    assert.deepEqual(flagged('sudo -u ops kubectl get nodes || echo down'), [0]);
    assert.deepEqual(flagged('kubectl get pods -o name | xargs -n1 kubectl delete || echo "some remain"'), [0, 0]);
    assert.deepEqual(flagged('kubectl get --raw /readyz \\\n  --request-timeout=5s || echo down'), [0], 'a continued line is one command');
    assert.deepEqual(flagged('for i in 1 2 3; do\n  kubectl get ns x || continue\n  echo found\ndone'), [1]);
    assert.deepEqual(flagged('for c in a b; do\n  kubectl get ns $c || break\ndone\necho done'), [1], 'a break with something after its loop');
    // Not waiting on it: an unrelated if/else, a loop over its output, its output tested for a value,
    // `|| exit`, `|| break` out of the last loop, the fallback itself, strings, here-documents, watch.
    assert.deepEqual(flagged('kubectl get pods\nif [ -f x ]; then echo a; else echo b; fi'), []);
    assert.deepEqual(flagged('if [ "$MODE" = fix ]; then kubectl delete ds a; else echo skipped; fi'), []);
    assert.deepEqual(flagged('for p in $(kubectl get pods -o name); do\n  if [[ $(kubectl exec $p -- role) == leader ]]; then echo $p; fi\ndone'), []);
    assert.deepEqual(flagged('NS=$(kubectl get ns -o name | head -1)\nkubectl get pods -n "$NS" || true'), [1], 'the -n of kubectl is no emptiness test');
    assert.deepEqual(flagged('for c in a b; do\n  kubectl get ns $c || break\ndone'), []);
    assert.deepEqual(flagged('test -f x || kubectl apply -f y && kubectl get y'), []);
    assert.deepEqual(flagged('kubectl get pods -o go-template="{{if .status}}x{{else}}y{{end}}"'), []);
    assert.deepEqual(flagged('sh -c "kubectl get pods || echo down"\ncat <<EOF\nkubectl get pods || echo down\nEOF'), []);
    assert.deepEqual(flagged('watch kubectl get pods || true'), []);
    // A status or an empty output decides the branch: `$?` after `local` is the builtin's; a failure
    // branch that only returns ends the step anyway; an empty output that takes a written branch.
    assert.deepEqual(flagged('f() {\n  local X="$(kubectl get ns)"\n  if [[ $? -ne 0 ]]; then echo failed; fi\n}'), []);
    assert.deepEqual(flagged('X="$(kubectl get ns)"\nif [[ $? -ne 0 ]]; then echo failed; fi'), [0]);
    assert.deepEqual(flagged('f() {\n  if ! kubectl get ns a; then\n    return 1\n  fi\n}'), []);
    assert.deepEqual(flagged('if [ -z "$(kubectl get ns a -o name)" ]; then echo "no namespace a"; fi'), [0]);
    assert.deepEqual(flagged('while [ -n "$(kubectl get nodes | grep NotReady)" ]; do sleep 5; done'), [], 'an empty answer ends the wait as success does');
    assert.deepEqual(flagged('until [ -n "$(kubectl get ns a -o name)" ]; do sleep 1; done'), [0], 'an empty answer is another round');
    assert.deepEqual(flagged('kubectl get pods | >&2 grep -v Running || true'), [0]);
  });

  it('says when the bounds add up to more than the step leaves its fallback', () => {
    const p = unboundedCalls('timeout 15s kubectl get a || echo a\ntimeout 15s kubectl get b || echo b', 20_000);
    assert.equal(p.length, 1);
    assert.match(p[0].message, /add up to 30s/);
  });

  it('is a parser diagnostic at the line of the call', () => {
    const md = "---\nrunbook: true\n---\n# T\n\n```sh {name=readyz timeout=20s}\necho hi\nkubectl get --raw /readyz || echo down\n```\n";
    const d = parseRunbook(md, 'rb.md').runbook.diagnostics.filter((x) => x.code === 'unbounded-api-call');
    assert.equal(d.length, 1);
    assert.equal(d[0].line, 7, 'the kubectl line (0-based)');
    assert.equal(d[0].severity, 'warning');
  });

  it('no shipped runbook has a branch a hung kubectl would never reach', () => {
    const dir = join(ROOT, 'runbooks');
    const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const { runbook } = parseRunbook(readFileSync(join(dir, f), 'utf8'), f);
      assert.deepEqual(runbook.diagnostics.filter((d) => d.code === 'unbounded-api-call'), [], f);
    }
  });
});

describe('the detect step against the seed tabletop (real kubectl)', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'bg-bounded-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its verdict within its timeout: ready on staging, "did not answer" on a saturated prod-east', async function () {
    const PATH = kubectlPath(dir);
    if (!PATH) this.skip();
    const text = readFileSync(RUNBOOK, 'utf8');
    const { runbook } = parseRunbook(text, RUNBOOK);
    const step = runbook.steps.find((s) => s.id === 'readyz')!;
    assert.ok(step.timeoutMs, 'the step has a timeout');
    const tt = await Tabletop.start(parseScenario(readFileSync(SEED, 'utf8'), SEED), { speed: 10, journalDir: join(dir, 'journal'), via: 'cli' });
    try {
      // prod-east's API servers run out of memory within the first simulated minute and crash-loop.
      const deadline = Date.now() + 60_000;
      const failing = () => {
        const r = tt.readings[tt.readings.length - 1]?.clusters['prod-east'];
        // Saturated, not down: a replica answers, with 429s (a cluster with none answers at once).
        return !!r && r.replicasReady >= 1 && r.rejectedPerSecond > 0;
      };
      while (!failing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      assert.ok(failing(), 'prod-east is saturated');
      const verdict = async (context: string) => {
        const session = new RunSession({
          runbookPath: RUNBOOK,
          runbook,
          journalDir: join(dir, 'journal', context),
          target: { mode: 'sim', kubeconfig: tt.kubeconfig, context },
          prompter: { confirm: async () => true, confirmTargets: async () => false, askParam: async () => undefined },
          via: 'cli',
          env: { PATH, HOME: process.env.HOME },
        });
        let out = '';
        session.onEvent((e) => {
          if (e.type === 'output' && e.stepId === 'readyz') out += e.text;
        });
        const t0 = Date.now();
        const state = await session.runStep('readyz');
        session.dispose();
        const reason = session.states.get('readyz')?.reason;
        return { state, reason, out, ms: Date.now() - t0 };
      };
      const [staging, east] = await Promise.all([verdict('staging'), verdict('prod-east')]);
      assert.equal(staging.state, 'succeeded', staging.out);
      assert.match(staging.out, /readyz check passed/);
      assert.ok(staging.ms < step.timeoutMs!, `${staging.ms} ms`);
      assert.equal(east.state, 'succeeded', `the fallback runs instead of the step timing out: ${east.reason} ${east.out}`);
      assert.match(east.out, /the API server did not answer: go to section 4/);
      assert.ok(east.ms < step.timeoutMs!, `${east.ms} ms`);
    } finally {
      await tt.stop();
    }
  });
});
