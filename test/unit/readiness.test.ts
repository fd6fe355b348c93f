// Break-glass readiness: which preflight path each ```breakglass step needs, the badge it gets
// from a preflight result, masking and the journal event, and the webview messages that carry it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { parsePreflightConfig, type PathResult } from '../../src/breakglass/preflight';
import { MAX_REASON, preflightEvent, preflightSecrets, readinessBadge, readinessBadges, readinessFromResults, stepNeed, type Readiness } from '../../src/breakglass/readiness';
import { Journal, listJournals, readJournal } from '../../src/runbook/journal';
import { MASK, Masker } from '../../src/common/mask';
import { parseRunbook } from '../../src/runbook/parse';
import { parseToHost, parseToWebview } from '../../src/views/messages/runbook';
import { removeTempDir, tempDir } from './helpers/servers';

const RUNBOOK = `---
runbook: true
title: Readiness
---
# Steps

\`\`\`breakglass {name=etcd-remove}
action: etcd-delete
keys: [/registry/daemonsets/monitoring/telemetry-agent]
\`\`\`

\`\`\`breakglass {name=stop-agents}
action: node-exec
clusters: [prod-east]
nodes: [10.0.0.1]
command: systemctl stop telemetry-agent
\`\`\`

\`\`\`breakglass {name=block}
action: network-block
clusters: '*'
hosts: [10.0.0.10]
sources: [10.0.1.0/24]
port: 6443
tag: telemetry
\`\`\`

\`\`\`breakglass {name=exempt-delete}
action: exempt-request
clusters: [staging, prod-west]
context: sim-breakglass
verb: delete
resource: daemonsets
namespace: monitoring
name: telemetry-agent
\`\`\`

\`\`\`sh {name=plain}
echo not a break-glass step
\`\`\`
`;

const AT = Date.parse('2025-03-04T05:06:07Z');

/** Two clusters: staging (etcd fails, break-glass ok), prod-east (everything ok, no control plane). */
function readiness(over: Partial<Readiness> = {}): Readiness {
  return {
    at: AT,
    config: '/ws/.breakglass/preflight.yaml',
    clusters: [
      {
        name: 'staging',
        checks: [
          { path: 'etcd', ok: false, detail: 'etcd is not reachable (settings): http://127.0.0.1:9: connection refused (is etcd running, is the port right?)', ms: 3 },
          { path: 'nodes', ok: true, detail: '1 of 1 node(s) tried: 1 ok', ms: 40 },
          { path: 'controlPlane', ok: true, detail: '1 control-plane host(s): 1 ok', ms: 40 },
          { path: 'breakglass', ok: true, detail: 'https://127.0.0.1:1234: exempt', ms: 12 },
        ],
      },
      {
        name: 'prod-east',
        checks: [
          { path: 'etcd', ok: true, detail: '3 keys under /registry/', ms: 5 },
          { path: 'nodes', ok: true, detail: '3 of 5 node(s) tried: 3 ok', ms: 50 },
          { path: 'breakglass', ok: true, detail: 'exempt', ms: 9 },
        ],
      },
    ],
    ...over,
  };
}

describe('break-glass readiness', () => {
  const steps = parseRunbook(RUNBOOK, '/ws/readiness.md').runbook.steps;
  const step = (id: string) => steps.find((s) => s.id === id)!;

  it('the runbook used here parses cleanly', () => {
    assert.deepEqual(parseRunbook(RUNBOOK, '/ws/readiness.md').runbook.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  describe('stepNeed', () => {
    it('maps each action to the preflight path it needs, with the clusters it names', () => {
      assert.deepEqual(stepNeed(step('etcd-remove')), { action: 'etcd-delete', path: 'etcd' });
      assert.deepEqual(stepNeed(step('stop-agents')), { action: 'node-exec', path: 'nodes', clusters: ['prod-east'] });
      assert.deepEqual(stepNeed(step('block')), { action: 'network-block', path: 'controlPlane', clusters: '*' });
      assert.deepEqual(stepNeed(step('exempt-delete')), { action: 'exempt-request', path: 'breakglass', clusters: ['staging', 'prod-west'] });
    });

    it('has nothing for other steps, unknown actions or bodies that did not parse', () => {
      assert.equal(stepNeed(step('plain')), undefined);
      assert.equal(stepNeed({ kind: 'breakglass', spec: { action: 'reboot-everything' } }), undefined);
      assert.equal(stepNeed({ kind: 'breakglass', spec: { action: 'toString' } }), undefined);
      assert.equal(stepNeed({ kind: 'breakglass', spec: undefined }), undefined);
      assert.equal(stepNeed({ kind: 'shell', spec: { action: 'etcd-delete' } }), undefined);
    });

    it('a malformed `clusters` is a problem, shown as not checked', () => {
      const need = stepNeed({ kind: 'breakglass', spec: { action: 'etcd-delete', clusters: [1, ''] } })!;
      assert.equal(need.path, 'etcd');
      assert.match(need.problem ?? '', /clusters/);
      assert.deepEqual(readinessBadge(need, readiness()), { status: 'not-checked', reason: need.problem });
    });
  });

  describe('readinessBadge', () => {
    it('never checked: not checked, without a time', () => {
      assert.deepEqual(readinessBadge(stepNeed(step('etcd-remove'))!, undefined), { status: 'not-checked' });
    });

    it('ready when every targeted cluster passed the path, with the time checked', () => {
      assert.deepEqual(readinessBadge(stepNeed(step('stop-agents'))!, readiness()), { status: 'ready', checkedAt: AT });
      // Default: every configured cluster; both have nodes and both passed.
      assert.deepEqual(readinessBadge({ action: 'node-exec', path: 'nodes' }, readiness()), { status: 'ready', checkedAt: AT });
    });

    it('not ready with the failing cluster, path and reason', () => {
      const b = readinessBadge(stepNeed(step('etcd-remove'))!, readiness());
      assert.equal(b.status, 'not-ready');
      assert.equal(b.checkedAt, AT);
      assert.equal(b.reason, 'staging etcd: etcd is not reachable (settings): http://127.0.0.1:9: connection refused (is etcd running, is the port right?)');
      // Only prod-east: its etcd passed.
      assert.equal(readinessBadge({ action: 'etcd-delete', path: 'etcd', clusters: ['prod-east'] }, readiness()).status, 'ready');
    });

    it('not checked when a targeted cluster, or its path, is not in the config', () => {
      // '*': staging passed its control plane, prod-east has none configured.
      assert.deepEqual(readinessBadge(stepNeed(step('block'))!, readiness()), { status: 'not-checked', reason: 'prod-east has no controlPlane path in preflight.yaml', checkedAt: AT });
      assert.deepEqual(readinessBadge(stepNeed(step('exempt-delete'))!, readiness()), { status: 'not-checked', reason: 'cluster prod-west is not in preflight.yaml', checkedAt: AT });
    });

    it('a failure outweighs what was not checked, and both are named', () => {
      const b = readinessBadge({ action: 'etcd-delete', path: 'etcd', clusters: ['prod-west', 'staging'] }, readiness());
      assert.equal(b.status, 'not-ready');
      assert.match(b.reason ?? '', /^staging etcd: etcd is not reachable .*; cluster prod-west is not in preflight\.yaml$/);
    });

    it('a preflight that could not run: not checked, with why', () => {
      const r = readiness({ clusters: [], error: '/ws/.breakglass/preflight.yaml: not found' });
      assert.deepEqual(readinessBadge(stepNeed(step('stop-agents'))!, r), { status: 'not-checked', reason: '/ws/.breakglass/preflight.yaml: not found', checkedAt: AT });
    });

    it('cuts very long reasons (the journal keeps the details)', () => {
      const r = readiness();
      r.clusters[0].checks[0].detail = 'x'.repeat(10_000);
      const b = readinessBadge(stepNeed(step('etcd-remove'))!, r);
      assert.equal(b.reason!.length, MAX_REASON);
      assert.ok(b.reason!.endsWith('…'));
      assert.ok(parseToWebview({ type: 'readiness', running: false, steps: { 'etcd-remove': b } }), 'still fits the webview message');
    });

    it('readinessBadges: one per break-glass step with a known action, by step id', () => {
      const all = readinessBadges(steps, readiness());
      assert.deepEqual(Object.keys(all), ['etcd-remove', 'stop-agents', 'block', 'exempt-delete']);
      assert.deepEqual(
        Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.status])),
        { 'etcd-remove': 'not-ready', 'stop-agents': 'ready', block: 'not-checked', 'exempt-delete': 'not-checked' },
      );
    });
  });

  describe('the journal record', () => {
    const CONFIG = `
clusters:
  - name: staging
    etcd:
      endpoints: [http://127.0.0.1:9]
      user: root:etcd-pass-123
      env: {ETCDCTL_PASSWORD: other-pass-456}
    breakglass: {context: sim-breakglass}
`;

    it('secrets of the config and the environment are masked in every detail', () => {
      const cfg = parsePreflightConfig(CONFIG, '/ws/.breakglass/preflight.yaml', { HOME: '/home/x' });
      const env = { HOME: '/home/x', BREAKGLASS_SSH_PASSPHRASE: 'env-secret-789', ETCDCTL_USER: 'admin:env-pass-000' };
      const secrets = preflightSecrets(cfg, env);
      for (const s of ['etcd-pass-123', 'other-pass-456', 'env-secret-789', 'env-pass-000']) assert.ok(secrets.includes(s), s);
      const results: PathResult[] = [
        { cluster: 'staging', path: 'etcd', ok: false, detail: 'auth failed for root:etcd-pass-123 (other-pass-456, env-pass-000)', ms: 4 },
        { cluster: 'staging', path: 'breakglass', ok: true, detail: 'Authorization: Bearer abcdefghijklmnop0123456789; key env-secret-789', ms: 9, hosts: [{ id: 'h', ok: true, detail: 'env-secret-789' }] },
      ];
      const r = readinessFromResults(cfg, results, AT, new Masker(secrets));
      const text = JSON.stringify(r);
      for (const s of ['etcd-pass-123', 'other-pass-456', 'env-secret-789', 'env-pass-000', 'abcdefghijklmnop0123456789']) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
      assert.ok(text.includes(MASK));
      assert.deepEqual(r.clusters.map((c) => [c.name, c.checks.map((k) => k.path)]), [['staging', ['etcd', 'breakglass']]]);
    });

    it('is one `preflight` event in its own journal, read back, and not listed as a run', () => {
      const dir = tempDir('bg-readiness-');
      try {
        const r = readiness();
        const ev = preflightEvent(r, { user: 'alice', host: 'laptop', via: 'vscode' });
        assert.equal(ev.type, 'preflight');
        assert.equal(ev.t, '2025-03-04T05:06:07.000Z');
        assert.equal(ev.ok, false);
        assert.equal(ev.config, '/ws/.breakglass/preflight.yaml');
        assert.deepEqual(ev.clusters[0].checks[0], { path: 'etcd', ok: false, detail: r.clusters[0].checks[0].detail, ms: 3 });
        assert.equal(preflightEvent(readiness({ clusters: [readiness().clusters[1]] }), { user: 'a', host: 'h', via: 'vscode' }).ok, true);
        const j = Journal.create(dir, 'preflight', new Date(AT));
        j.append(ev);
        j.close();
        assert.equal(basename(j.file), 'preflight-20250304T050607Z.jsonl');
        const read = readJournal(j.file);
        assert.deepEqual(read.errors, []);
        assert.deepEqual(read.events, [ev]);
        assert.deepEqual(listJournals(dir), []);
        assert.deepEqual(readdirSync(dir), ['preflight-20250304T050607Z.jsonl']);
      } finally {
        removeTempDir(dir);
      }
    });
  });

  describe('webview messages', () => {
    it('readiness badges are checked and rebuilt', () => {
      const msg = { type: 'readiness', running: false, steps: { 'etcd-remove': { status: 'not-ready', reason: 'staging etcd: refused', checkedAt: AT, extra: '<b>' }, ok: { status: 'ready' } } };
      assert.deepEqual(parseToWebview(msg), { type: 'readiness', running: false, steps: { 'etcd-remove': { status: 'not-ready', reason: 'staging etcd: refused', checkedAt: AT }, ok: { status: 'ready' } } });
      for (const bad of [
        { ...msg, running: 'no' },
        { ...msg, steps: [] },
        { ...msg, steps: { 'etcd-remove': { status: 'fine' } } },
        { ...msg, steps: { 'etcd-remove': { status: 'ready', checkedAt: 'today' } } },
        { ...msg, steps: { 'etcd-remove': { status: 'ready', reason: 'x'.repeat(5000) } } },
        { ...msg, steps: { '../x': { status: 'ready' } } },
        { ...msg, steps: JSON.parse('{"__proto__": {"status": "ready"}}') as unknown },
      ]) {
        assert.equal(parseToWebview(bad), undefined, JSON.stringify(bad));
      }
    });

    it('the page may ask for a check and says what it drew', () => {
      assert.deepEqual(parseToHost({ type: 'checkReadiness', extra: 1 }), { type: 'checkReadiness' });
      assert.deepEqual(parseToHost({ type: 'readinessShown', steps: { 'etcd-remove': 'not ready: staging etcd: refused' } }), { type: 'readinessShown', steps: { 'etcd-remove': 'not ready: staging etcd: refused' } });
      assert.equal(parseToHost({ type: 'readinessShown', steps: { 'etcd-remove': 3 } }), undefined);
      assert.equal(parseToHost({ type: 'readinessShown', steps: 'x' }), undefined);
      assert.equal(parseToHost({ type: 'readinessShown', steps: { '-x': 'ready' } }), undefined);
    });
  });
});
