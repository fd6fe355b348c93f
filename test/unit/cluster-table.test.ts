// The Runbook view's per-cluster table of a break-glass step: rows from the fan-out's outcomes,
// the messages that carry them (validated on both sides), and the throttle on posting them.
import assert from 'node:assert/strict';
import type { ClusterOutcome } from '../../src/breakglass/fanout';
import { ClusterTableThrottle, clusterRows, tableFinished } from '../../src/views/clusterTable';
import { parseClusterRow, parseToHost, parseToWebview, type ClusterRowView } from '../../src/views/messages/runbook';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Runbook view: clusters table', () => {
  it('rows keep the fan-out order and carry state, size, progress and the result', () => {
    const outcomes: ClusterOutcome[] = [
      { name: 'prod-east', size: 5000, state: 'running', progress: { done: 1200, total: 5000, failed: 3 }, preview: { ok: true, summary: 'would run on 5000 node(s)', items: [] } },
      { name: 'prod-west', size: 2500, state: 'failed', result: { ok: false, summary: 'node-exec: 2 failed', items: [{ id: 'n1', ok: true, detail: 'ok' }, { id: 'n2', ok: false, detail: 'refused' }, { id: 'n3', ok: false, detail: 'cancelled: not attempted' }] } },
      { name: 'dr', state: 'failed', result: { ok: false, summary: 'etcd-delete: etcd is not reachable:\n  http://10.0.0.1:2379: connection refused', items: [] } },
      { name: 'staging', size: 40, state: 'pending' },
    ];
    const rows = clusterRows(outcomes);
    assert.deepEqual(rows, [
      // While it runs, the preview is shown as what it is: the plan.
      { name: 'prod-east', size: 5000, state: 'running', done: 1200, total: 5000, failed: 3, summary: 'plan: would run on 5000 node(s)' },
      // A result without its own brief: its items counted; the whole summary as the detail.
      { name: 'prod-west', size: 2500, state: 'failed', done: 2, total: 3, failed: 2, summary: '1 changed, 1 failed, 1 not attempted', detail: 'node-exec: 2 failed' },
      { name: 'dr', state: 'failed', summary: 'etcd-delete: etcd is not reachable: http://10.0.0.1:2379: connection refused' },
      { name: 'staging', size: 40, state: 'pending' },
    ]);
    // Every row passes the page's own check unchanged.
    for (const r of rows) assert.deepEqual(parseClusterRow(r), r);
    assert.equal(tableFinished(rows), false);
    assert.equal(tableFinished(rows.map((r) => ({ ...r, state: r.state === 'running' || r.state === 'pending' ? 'skipped' : r.state }))), true);
  });

  it("a result's own brief goes in the cell and its summary in the detail; a plan's brief says it is a plan", () => {
    const rows = clusterRows([
      {
        name: 'prod-east',
        size: 5000,
        state: 'running',
        progress: { done: 10, total: 5001, failed: 0 },
        preview: { ok: true, summary: '5001 key(s) to delete from etcd at revision 9 (1 at /registry/daemonsets/monitoring/agent, 5000 under /registry/pods/monitoring/agent-)', brief: '5001 key(s) to delete', items: [] },
      },
      { name: 'prod-west', size: 2500, state: 'succeeded', result: { ok: true, summary: 'deleted 2501 of 2501 key(s) from etcd (1 at …, 2500 under …)', brief: '2501 key(s) deleted', items: [{ id: '/registry/daemonsets/monitoring/agent', ok: true, detail: 'deleted' }] } },
    ]);
    assert.equal(rows[0].summary, 'plan: 5001 key(s) to delete');
    assert.match(rows[0].detail!, /^plan: 5001 key\(s\) to delete from etcd .*5000 under \/registry\/pods\/monitoring\/agent-\)$/);
    assert.equal(rows[1].summary, '2501 key(s) deleted');
    assert.equal(rows[1].detail, 'deleted 2501 of 2501 key(s) from etcd (1 at …, 2500 under …)');
    // A plan without a brief is never counted as changes.
    const plain = clusterRows([{ name: 'a', state: 'running', preview: { ok: true, summary: 'would run `true` on 3 node(s)', items: [1, 2, 3].map((i) => ({ id: `n${i}`, ok: true, detail: 'to run' })) } }]);
    assert.equal(plain[0].summary, 'plan: would run `true` on 3 node(s)');
  });

  it('a dry run finishes as a dry run: its state says so, no items counted as done, the cell says what would be done', () => {
    const items = [1, 2, 3].map((i) => ({ id: `node-0000${i}`, ok: true, detail: 'to run' }));
    const rows = clusterRows([{ name: 'prod-east', size: 3, state: 'succeeded', result: { ok: true, dryRun: true, summary: 'dry run: nothing run; would run `crictl stop` on 3 simulated node(s)', brief: 'would run on 3 node(s)', items } }]);
    assert.deepEqual(rows, [{ name: 'prod-east', size: 3, state: 'dry-run', summary: 'would run on 3 node(s)', detail: 'dry run: nothing run; would run `crictl stop` on 3 simulated node(s)' }]);
    assert.deepEqual(parseClusterRow(rows[0]), rows[0]);
    // Without a brief, the items are counted as what would be done.
    assert.equal(clusterRows([{ name: 'a', state: 'succeeded', result: { ok: true, dryRun: true, summary: 'dry run', items } }])[0].summary, '3 to act on');
  });

  it('summaries are masked and clipped to one line', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const rows = clusterRows([{ name: 'a', state: 'failed', result: { ok: false, summary: `Authorization: Bearer ${token} ${'x'.repeat(5000)}`, items: [] } }], (s) => s.replace(token, '••••••'));
    assert.ok(!rows[0].summary!.includes(token));
    assert.ok(!rows[0].detail!.includes(token));
    // The cell: a few words; the detail: the whole (bounded) sentence.
    assert.ok(rows[0].summary!.length <= 100, `${rows[0].summary!.length}`);
    assert.ok(rows[0].detail!.length <= 1000);
  });

  it('messages: clusters and retry to the page are checked and rebuilt; bad ones refused', () => {
    const row: ClusterRowView = { name: 'east', size: 3, state: 'failed', done: 1, total: 3, failed: 2, summary: '<b>x</b>', detail: 'x <i>y</i>' };
    const ok = parseToWebview({ type: 'clusters', stepId: 'remove-from-etcd', clusters: [{ ...row, extra: 'dropped' }] });
    assert.deepEqual(ok, { type: 'clusters', stepId: 'remove-from-etcd', clusters: [row] });
    for (const bad of [
      { type: 'clusters', stepId: 'x y', clusters: [] },
      { type: 'clusters', stepId: 's', clusters: 'east' },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, state: 'exploded' }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, done: -1 }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, total: 1.5 }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, name: '' }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, name: 'n'.repeat(201) }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, summary: 7 }] },
      { type: 'clusters', stepId: 's', clusters: [{ ...row, detail: ['x'] }] },
      { type: 'clusters', stepId: 's', clusters: Array.from({ length: 1001 }, () => row) },
    ]) {
      assert.equal(parseToWebview(bad), undefined, JSON.stringify(bad).slice(0, 200));
    }
    assert.deepEqual(parseToWebview({ type: 'retry', stepId: 'stop', failed: 3 }), { type: 'retry', stepId: 'stop', failed: 3 });
    for (const failed of [-1, 1.5, '3', undefined]) assert.equal(parseToWebview({ type: 'retry', stepId: 'stop', failed }), undefined);
  });

  it('messages: retryFailed and clustersShown from the page are checked', () => {
    assert.deepEqual(parseToHost({ type: 'retryFailed', stepId: 'remove-from-etcd', extra: 1 }), { type: 'retryFailed', stepId: 'remove-from-etcd' });
    assert.equal(parseToHost({ type: 'retryFailed' }), undefined);
    assert.equal(parseToHost({ type: 'retryFailed', stepId: '../x' }), undefined);
    assert.deepEqual(parseToHost({ type: 'clustersShown', stepId: 's', rows: ['east | failed'], retry: 'Retry failed (1)' }), { type: 'clustersShown', stepId: 's', rows: ['east | failed'], retry: 'Retry failed (1)' });
    assert.equal(parseToHost({ type: 'clustersShown', stepId: 's', rows: [1], retry: '' }), undefined);
    assert.equal(parseToHost({ type: 'clustersShown', stepId: 's', rows: [], retry: undefined }), undefined);
  });

  it('throttle: at most one post per step per interval, the latest always arrives, a finished table at once', async () => {
    // Decisions follow this clock; only the trailing post waits in real time.
    let clock = 1000;
    const posts: { stepId: string; states: string[] }[] = [];
    const t = new ClusterTableThrottle((stepId, rows) => posts.push({ stepId, states: rows.map((r) => `${r.name}:${r.state}${r.done !== undefined ? `:${r.done}` : ''}`) }), 50, () => clock);
    const running = (done: number): ClusterRowView[] => [{ name: 'a', state: 'running', done, total: 100 }, { name: 'b', state: 'pending' }];
    t.update('s', running(0));
    assert.equal(posts.length, 1, 'the first one at once');
    for (let i = 1; i <= 50; i++) {
      clock += 0.5;
      t.update('s', running(i));
    }
    assert.equal(posts.length, 1, 'nothing more within the interval');
    t.update('other', running(7));
    assert.equal(posts.length, 2, 'another step has its own interval');
    await sleep(200);
    assert.equal(posts.length, 3, 'one trailing post');
    assert.deepEqual(posts[2], { stepId: 's', states: ['a:running:50', 'b:pending'] });
    clock += 10;
    t.update('s', running(60));
    t.update('s', [{ name: 'a', state: 'succeeded', done: 100, total: 100 }, { name: 'b', state: 'failed' }]);
    assert.equal(posts.length, 4, 'the final table goes at once, even inside the interval');
    assert.deepEqual(posts[3].states, ['a:succeeded:100', 'b:failed']);
    await sleep(200);
    assert.equal(posts.length, 4, 'nothing left over');
    // flush(): the pending one now.
    clock += 10;
    t.update('s', running(1));
    t.update('s', running(2));
    assert.equal(posts.length, 4);
    t.flush('s');
    assert.equal(posts.length, 5);
    assert.deepEqual(posts[4].states, ['a:running:2', 'b:pending']);
    await sleep(200);
    assert.equal(posts.length, 5);
    assert.deepEqual(t.latest.get('s'), running(2));
    // The interval has passed: at once again.
    clock += 100;
    t.update('s', running(3));
    assert.equal(posts.length, 6);
    t.update('s', running(4));
    t.dispose();
    await sleep(200);
    assert.equal(posts.length, 6, 'disposed: no timer left, nothing posted');
  });
});
