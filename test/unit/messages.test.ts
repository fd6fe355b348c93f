import assert from 'node:assert/strict';
import { parseToHost, parseToWebview } from '../../src/views/messages/runbook';

describe('webview messages', () => {
  it('accepts well-formed intents from the webview', () => {
    assert.deepEqual(parseToHost({ type: 'run', stepId: 'check-readyz' }), { type: 'run', stepId: 'check-readyz' });
    assert.deepEqual(parseToHost({ type: 'runAll', extra: 1 }), { type: 'runAll' });
    assert.deepEqual(parseToHost({ type: 'reveal', line: 12 }), { type: 'reveal', line: 12 });
    assert.deepEqual(parseToHost({ type: 'openLink', href: 'https://kubernetes.io' }), { type: 'openLink', href: 'https://kubernetes.io' });
  });
  it('rejects anything else', () => {
    for (const bad of [
      null, 'run', [], {}, { type: 'exec', command: 'rm -rf /' },
      { type: 'run' }, { type: 'run', stepId: 42 }, { type: 'run', stepId: '../x' }, { type: 'run', stepId: 'a b' },
      { type: 'reveal', line: -1 }, { type: 'reveal', line: 1.5 }, { type: 'reveal', line: '3' },
      { type: 'openLink', href: 'javascript:alert(1)' }, { type: 'openLink', href: 'file:///etc/passwd' }, { type: 'openLink', href: 'command:workbench.action.terminal.new' },
    ]) assert.equal(parseToHost(bad), undefined, JSON.stringify(bad));
  });
  it('checks messages to the webview too', () => {
    assert.ok(parseToWebview({ type: 'state', stepId: 'a', view: { state: 'running', elapsedMs: 5 } }));
    assert.equal(parseToWebview({ type: 'state', stepId: 'a', view: { state: 'exploded' } }), undefined);
    assert.equal(parseToWebview({ type: 'output', stepId: 'a', stream: 'tty', text: 'x' }), undefined);
    assert.ok(parseToWebview({ type: 'snapshot', mode: { label: 'SIMULATED', real: false }, trusted: true, runAll: false, steps: { a: { state: 'pending', output: '' } } }));
    assert.equal(parseToWebview({ type: 'snapshot', mode: {}, trusted: true, steps: { a: { state: 'pending' } } }), undefined);
  });
});
