// The validators every webview message goes through (src/views/messages/validate.ts): what they
// accept is rebuilt with only the declared properties, and a refusal names the property at fault.
import assert from 'node:assert/strict';
import { array, boolean, dropInvalid, literal, map, number, object, oneOf, optional, record, refine, string, tagged, union, validate } from '../../src/views/messages/validate';
import { healthToWebview } from '../../src/views/messages/health';
import { runbookToHost, runbookToWebview } from '../../src/views/messages/runbook';
import { parseTabletopToHost, tabletopToHost } from '../../src/views/messages/tabletop';

const refusal = (r: { ok: boolean; error?: string }): string => {
  assert.equal(r.ok, false, 'refused');
  return (r as { error: string }).error;
};

describe('webview message validators', () => {
  const msg = tagged('type', {
    run: object({ stepId: string({ pattern: /^[a-z-]+$/, what: 'a step id' }), times: optional(number({ integer: true, min: 1, max: 9 })) }),
    table: object({ rows: array(object({ name: string({ max: 5 }), ok: boolean() }), { max: 2 }), by: record(string({ pattern: /^[a-z]+$/ }), number()) }),
    either: object({ v: union(literal(null), oneOf(['a', 'b'] as const)) }),
  });

  it('rebuild what they accept: undeclared properties do not travel on, missing optional ones stay missing', () => {
    const r = validate(msg, { type: 'run', stepId: 'check-readyz', extra: '<script>', times: undefined });
    assert.deepEqual(r, { ok: true, value: { type: 'run', stepId: 'check-readyz' } });
    const t = validate(msg, { type: 'table', rows: [{ name: 'a', ok: true, token: 'secret' }], by: { x: 1 } });
    assert.deepEqual(t, { ok: true, value: { type: 'table', rows: [{ name: 'a', ok: true }], by: { x: 1 } } });
    assert.deepEqual(validate(msg, { type: 'either', v: null }), { ok: true, value: { type: 'either', v: null } });
  });

  it('name the property at fault and what was expected there', () => {
    assert.match(refusal(validate(msg, { type: 'run', stepId: 'A B' })), /^message\.stepId: expected a step id, got "A B"$/);
    assert.match(refusal(validate(msg, { type: 'run', stepId: 'a', times: 1.5 })), /^message\.times: expected an integer from 1 to 9, got 1.5$/);
    assert.match(refusal(validate(msg, { type: 'run' })), /^message\.stepId: expected a step id, got nothing$/);
    assert.match(refusal(validate(msg, { type: 'exec', command: 'rm -rf /' })), /^message\.type: expected one of run, table, either, got "exec"$/);
    assert.match(refusal(validate(msg, { type: 'table', rows: [{ name: 'a', ok: true }, { name: 'toolong', ok: true }], by: {} })), /^message\.rows\[1\]\.name: expected a string of at most 5 characters/);
    assert.match(refusal(validate(msg, { type: 'table', rows: [], by: { x: 1, 'Y z': 2 } })), /^message\.by key "Y z": expected a string matching/);
    assert.match(refusal(validate(msg, { type: 'table', rows: [], by: { x: '1' } })), /^message\.by\.x: expected a number, got "1"$/);
    assert.match(refusal(validate(msg, { type: 'table', rows: [{}, {}, {}], by: {} })), /^message\.rows: expected .*\(at most 2\), got an array of 3$/);
    assert.match(refusal(validate(msg, { type: 'either', v: 'c' })), /^message\.v: expected null or one of a, b/);
    assert.match(refusal(validate(msg, [])), /^message: expected a message with type run, table, either, got an array of 0$/);
  });

  it('refuse NaN and the infinities where a number is expected', () => {
    for (const x of [NaN, Infinity, -Infinity]) assert.equal(validate(number(), x).ok, false, String(x));
  });

  it('drop a malformed property marked dropInvalid, and refine and map what they accepted', () => {
    const v = object({ core: number(), extra: dropInvalid(object({ n: number() })) });
    assert.deepEqual(validate(v, { core: 1, extra: { n: 'x' } }), { ok: true, value: { core: 1 } });
    assert.deepEqual(validate(v, { core: 1, extra: { n: 2 } }), { ok: true, value: { core: 1, extra: { n: 2 } } });
    const even = refine(number({ integer: true }), 'even', (n) => (n % 2 ? `${n} is odd` : undefined));
    assert.match(refusal(validate(object({ n: even }), { n: 3 })), /^message\.n: 3 is odd$/);
    assert.deepEqual(validate(map(array(string()), (xs) => [...new Set(xs)]), ['a', 'b', 'a']), { ok: true, value: ['a', 'b'] });
  });

  it("the pages' messages: a refusal names the field", () => {
    assert.match(refusal(validate(runbookToHost, { type: 'reveal', line: -1 })), /^message\.line: expected an integer from 0 to 9999999, got -1$/);
    assert.match(refusal(validate(runbookToWebview, { type: 'state', stepId: 'a', view: { state: 'exploded' } })), /^message\.view\.state: expected one of pending, running, succeeded, failed, skipped, cancelled, got "exploded"$/);
    assert.match(refusal(validate(healthToWebview, { type: 'health', panel: 'main', sentAt: 1, snapshot: { at: 1, state: 'healthy', summary: 's', cost: { requests: 1 } } })), /^message\.snapshot\.cost\.bytes: expected a number, got nothing$/);
    assert.match(refusal(validate(tabletopToHost, { type: 'ttInject', action: 'scale-apiserver', cluster: 'staging', replicas: 51 })), /^message\.replicas: scale-apiserver needs N \(N from 1 to 50\)$/);
  });

  it('an injection carries only what its action needs', () => {
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'kill-apiserver', cluster: 'staging', replicas: 4, name: 'x' }), { type: 'ttInject', action: 'kill-apiserver', cluster: 'staging' });
    assert.deepEqual(parseTabletopToHost({ type: 'ttInject', action: 'scale-apiserver', cluster: '*', replicas: 4 }), { type: 'ttInject', action: 'scale-apiserver', cluster: '*', replicas: 4 });
    assert.equal(parseTabletopToHost({ type: 'ttInject', action: 'scale-apiserver', cluster: '*' }), undefined);
    assert.equal(parseTabletopToHost({ type: 'ttInject', action: 'deploy', cluster: 'staging', namespace: 'a'.repeat(64), name: 'x' }), undefined);
  });
});
