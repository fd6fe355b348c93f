// node-exec against real sshd instances on 127.0.0.1 (one per "node", each with its own host key):
// a command stops a stand-in agent (a `sleep` process) on each node; an unreachable node, a node
// with the wrong host key and one missing from known_hosts fail with their reasons while the rest
// complete; retrying touches only the failed ones; a second run changes nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionFor, type ActionContext, type Progress } from '../../src/breakglass';
import { parseAddress, resolveInventory, expandRange } from '../../src/breakglass/inventory';
import { KnownHosts } from '../../src/breakglass/knownhosts';
import { nodeExec, type NodeExecSpec } from '../../src/breakglass/node-exec';
import { closedPort, loginUser, makeSshKey, startSshd, tempDir, type SshKeyPair, type SshNode } from './helpers/servers';

interface Agent {
  node: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function startAgent(dir: string, node: string): Agent {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  writeFileSync(join(dir, `agent-${node}.pid`), String(child.pid));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { node, child, exited };
}

function alive(a: Agent): boolean {
  return a.child.exitCode === null && a.child.signalCode === null;
}

describe('breakglass node-exec over real SSH', function () {
  this.timeout(60_000);
  let dir: string;
  let runbookDir: string;
  let client: SshKeyPair;
  let nodes: SshNode[];
  let wrongKeyNode: SshNode;
  let unknownNode: SshNode;
  let deadPort: number;
  let knownHosts: string;
  let agents: Agent[];
  let env: Record<string, string>;
  const good = ['n1', 'n2', 'n3', 'n4'];

  before(async () => {
    dir = tempDir('bg-node-exec-');
    runbookDir = join(dir, 'runbook');
    mkdirSync(runbookDir);
    client = makeSshKey(dir, 'client');
    nodes = await Promise.all(good.map((name) => startSshd({ name, authorizedKey: client.publicLine, dir })));
    wrongKeyNode = await startSshd({ name: 'n5', authorizedKey: client.publicLine, dir });
    unknownNode = await startSshd({ name: 'n6', authorizedKey: client.publicLine, dir });
    deadPort = await closedPort();
    const impostor = makeSshKey(dir, 'impostor');
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, [...nodes.map((n) => n.knownHostsLine), `[127.0.0.1]:${wrongKeyNode.port} ${impostor.publicLine}`, `[127.0.0.1]:${deadPort} ${impostor.publicLine}`, ''].join('\n'));
    writeFileSync(join(runbookDir, 'nodes.txt'), ['# the test nodes', ...nodes.map((n) => n.address), wrongKeyNode.address, `127.0.0.1:${deadPort}   # powered off`, unknownNode.address, ''].join('\n'));
    env = { HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin', BREAKGLASS_SSH_KEY: client.privateKey, BREAKGLASS_KNOWN_HOSTS: knownHosts };
  });
  beforeEach(() => {
    agents = [...good, 'n5', 'n6'].map((n) => startAgent(dir, n));
  });
  afterEach(() => {
    for (const a of agents) if (alive(a)) a.child.kill('SIGKILL');
  });
  after(async () => {
    await Promise.all([...(nodes ?? []), wrongKeyNode, unknownNode].filter(Boolean).map((n) => n.stop()));
  });

  function ctx(o: Partial<ActionContext> = {}): ActionContext & { lines: string[]; progressSeen: Progress[] } {
    const lines: string[] = [];
    const progressSeen: Progress[] = [];
    return { mode: 'real', runbookDir, env, signal: new AbortController().signal, dryRun: false, log: (l) => lines.push(l), progress: (p) => progressSeen.push(p), lines, progressSeen, ...o };
  }

  /** Stops the node's agent if it runs; prints only when it changed something; logs every visit. */
  const command = () =>
    `echo "$BG_NODE" >> ${dir}/visits; f=${dir}/agent-$BG_NODE.pid; if [ -f "$f" ]; then kill "$(cat "$f")" && rm -f "$f" && echo "stopped agent on $BG_NODE"; fi`;
  const spec = (o: Partial<NodeExecSpec> = {}): NodeExecSpec => ({ nodes: { file: 'nodes.txt' }, command: command(), user: loginUser(), concurrency: 3, timeoutMs: 20_000, ...o });
  const visits = (): string[] => (existsSync(join(dir, 'visits')) ? readFileSync(join(dir, 'visits'), 'utf8').split('\n').filter(Boolean).sort() : []);

  it('parses inventories: file lines, ranges, host:port, [v6]:port, user@', async () => {
    assert.deepEqual(parseAddress('root@10.0.0.1:2222 # x'), { id: '10.0.0.1:2222', host: '10.0.0.1', port: 2222, user: 'root' });
    assert.deepEqual(parseAddress('[fd00::1]:22'), { id: '[fd00::1]:22', host: 'fd00::1', port: 22, user: undefined });
    assert.equal(parseAddress('  # only a comment'), undefined);
    assert.deepEqual(expandRange('10.0.0.254-10.0.1.1'), ['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    assert.equal(expandRange('10.0.0.1-50').length, 50);
    const a = actionFor('node-exec')!;
    assert.match(a.parse({ action: 'node-exec', nodes: { range: '10.0.0.9-10.0.0.1' }, command: 'true' }).problems.join(), /before the first/);
    assert.match(a.parse({ action: 'node-exec', nodes: { file: 'x', range: 'y' }, command: 'true' }).problems.join(), /exactly one/);
    assert.ok(a.parse({ action: 'node-exec', nodes: ['a', 'b:2222'], command: 'true', concurrency: 200, timeout: '30s' }).spec);
    const listed = await resolveInventory({ command: `printf '10.1.0.1\\n10.1.0.2\\n10.1.0.1\\n'` }, { runbookDir, env, signal: new AbortController().signal });
    assert.deepEqual(listed.map((n) => n.id), ['10.1.0.1', '10.1.0.2']);
  });

  it('known_hosts: plain, hashed and [host]:port entries; mismatch and unknown are refused', () => {
    const kh = new KnownHosts([knownHosts]);
    const key = Buffer.from(nodes[0].hostKey.publicLine.split(' ')[1], 'base64');
    assert.equal(kh.verify('127.0.0.1', nodes[0].port, key).ok, true);
    assert.match((kh.verify('127.0.0.1', wrongKeyNode.port, key) as { reason: string }).reason, /HOST KEY MISMATCH/);
    assert.match((kh.verify('127.0.0.1', 1, key) as { reason: string }).reason, /not in known_hosts/);
    const hashed = execFileSync('/usr/bin/ssh-keygen', ['-H', '-f', knownHosts], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(hashed, /updated/);
    const kh2 = new KnownHosts([knownHosts]);
    assert.ok(kh2.entries.every((e) => e.patterns[0].startsWith('|1|')));
    assert.equal(kh2.verify('127.0.0.1', nodes[0].port, key).ok, true);
  });

  it('stops the agent on every reachable node; the unreachable, wrong-key and unknown nodes fail with reasons; retry touches only those; a second run changes nothing', async () => {
    writeFileSync(join(dir, 'visits'), '');
    const c = ctx();
    const r = await nodeExec.run(spec(), c);
    assert.equal(r.ok, false);
    assert.equal(r.items.length, 7);
    const by = new Map(r.items.map((i) => [i.id, i]));
    for (const n of nodes) {
      const it = by.get(n.address)!;
      assert.equal(it.ok, true, it.detail);
      assert.match(it.detail, new RegExp(`stopped agent on ${n.name}`));
    }
    assert.match(by.get(`127.0.0.1:${deadPort}`)!.detail, /connection refused/);
    assert.match(by.get(wrongKeyNode.address)!.detail, /HOST KEY MISMATCH/);
    assert.match(by.get(unknownNode.address)!.detail, /not in known_hosts/);
    await Promise.all(agents.filter((a) => good.includes(a.node)).map((a) => a.exited));
    assert.deepEqual(agents.filter(alive).map((a) => a.node), ['n5', 'n6']);
    assert.deepEqual(visits(), good);
    assert.match(r.summary, /7 node\(s\) in .* 4 changed, 0 no change, 3 failed/);
    const last = c.progressSeen[c.progressSeen.length - 1];
    assert.deepEqual({ done: last.done, total: last.total, failed: last.failed }, { done: 7, total: 7, failed: 3 });

    // The operator verifies and fixes the host keys; the dead node stays dead. Retry only the failed ones.
    writeFileSync(knownHosts, [...nodes.map((n) => n.knownHostsLine), wrongKeyNode.knownHostsLine, unknownNode.knownHostsLine, ''].join('\n'));
    writeFileSync(join(dir, 'visits'), '');
    const failed = r.items.filter((i) => !i.ok).map((i) => i.id);
    const r2 = await nodeExec.run(spec(), ctx(), { only: failed });
    assert.deepEqual(r2.items.map((i) => i.id).sort(), [...failed].sort());
    assert.deepEqual(visits(), ['n5', 'n6']);
    assert.equal(r2.items.find((i) => i.id === `127.0.0.1:${deadPort}`)!.ok, false);
    await Promise.all(agents.map((a) => a.exited));
    assert.equal(agents.some(alive), false);

    // Again: nothing left to stop, every reachable node reports no change.
    const r3 = await nodeExec.run(spec(), ctx());
    for (const it of r3.items.filter((i) => i.ok)) assert.equal(it.unchanged, true, `${it.id}: ${it.detail}`);
    assert.equal(r3.items.filter((i) => i.ok).length, 6);
    assert.match(r3.summary, /0 changed, 6 no change, 1 failed/);
  });

  it('dry run connects to nothing', async () => {
    writeFileSync(join(dir, 'visits'), '');
    const r = await nodeExec.run(spec(), ctx({ dryRun: true }));
    assert.match(r.summary, /^dry run: nothing run; would run .* on 7 node\(s\) from file nodes.txt, 3 at a time/);
    assert.deepEqual(visits(), []);
    assert.ok(agents.every(alive));
  });

  it('reports exit codes and stdout tails; per-node timeouts end the session', async () => {
    const r = await nodeExec.run(spec({ nodes: { hosts: [nodes[0].address, nodes[1].address] }, command: 'echo partial; echo oops >&2; exit 7' }), ctx());
    for (const i of r.items) assert.match(i.detail, /^exit code 7: oops$/);
    const t0 = Date.now();
    const r2 = await nodeExec.run(spec({ nodes: { hosts: [nodes[0].address] }, command: 'sleep 30', timeoutMs: 1500 }), ctx());
    assert.match(r2.items[0].detail, /no result within 1500 ms/);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('cancelling ends the sessions in flight and attempts no more nodes', async () => {
    const ac = new AbortController();
    const hosts = nodes.map((n) => n.address);
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 700);
    const r = await nodeExec.run(spec({ nodes: { hosts }, command: 'sleep 20', concurrency: 2 }), ctx({ signal: ac.signal }));
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(r.items.map((i) => i.detail), ['cancelled', 'cancelled', 'cancelled: not attempted', 'cancelled: not attempted']);
    assert.equal(r.ok, false);
  });

  it('authenticates through ssh-agent when no key file is given', async function () {
    if (!existsSync('/usr/bin/ssh-agent')) throw new Error('/usr/bin/ssh-agent is missing: install openssh-client');
    const sock = join(dir, 'agent.sock');
    const agent = spawn('/usr/bin/ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('/usr/bin/ssh-add', ['-q', client.privateKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const e = { ...env, SSH_AUTH_SOCK: sock };
      delete (e as Record<string, string | undefined>).BREAKGLASS_SSH_KEY;
      const r = await nodeExec.run(spec({ nodes: { hosts: [nodes[0].address] }, command: 'echo via agent' }), ctx({ env: e }));
      assert.equal(r.ok, true, r.summary);
      assert.match(r.items[0].detail, /via agent/);
      // Without the key in the agent, authentication fails with a plain reason.
      execFileSync('/usr/bin/ssh-add', ['-q', '-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const r2 = await nodeExec.run(spec({ nodes: { hosts: [nodes[0].address] }, command: 'true' }), ctx({ env: e }));
      assert.match(r2.items[0].detail, /authentication failed as .* with ssh-agent/);
    } finally {
      agent.kill('SIGKILL');
    }
  });
});
