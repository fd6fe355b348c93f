// network-block: the rule scripts run over real SSH (sshd on 127.0.0.1) against stand-ins for
// `nft` and `iptables` that keep their ruleset in a file (this machine's firewall is never
// touched): blocking adds one tagged rule, blocking again changes nothing, lifting removes exactly
// the tagged rule and leaves other rules alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionFor, runStep, type ActionContext } from '../../src/breakglass';
import { blockScript, liftScript, parseNetworkBlock, ruleTag } from '../../src/breakglass/network-block';
import { loginUser, makeSshKey, startSshd, tempDir, type SshNode } from './helpers/servers';

/**
 * A PATH with only the stand-ins and the few tools the scripts use, so that a real nft or iptables
 * on the machine can never be reached.
 */
function toolsDir(dir: string): string {
  const tools = join(dir, 'tools');
  mkdirSync(tools, { recursive: true });
  for (const t of ['sh', 'grep', 'sed', 'cat']) symlinkSync(execFileSync('/bin/sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).trim(), join(tools, t));
  return tools;
}

/** A stand-in `nft` that understands the commands the scripts use; state in $FAKE_FW/nft.json. */
const FAKE_NFT = `#!${process.execPath}
const fs = require('fs');
const file = process.env.FAKE_FW + '/nft.json';
const st = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { table: false, chain: false, rules: [], next: 2 };
let args = process.argv.slice(2);
const handles = args[0] === '-a';
if (handles) args = args.slice(1);
const cmd = args.join(' ');
const save = () => fs.writeFileSync(file, JSON.stringify(st));
let m;
if (cmd === 'list table inet breakglass') process.exit(st.table ? 0 : 1);
else if (cmd === 'add table inet breakglass') { st.table = true; save(); }
else if (cmd === 'list chain inet breakglass input') {
  if (!st.chain) { console.error('Error: No such file or directory'); process.exit(1); }
  console.log('table inet breakglass {\\n\\tchain input {\\n\\t\\ttype filter hook input priority -10; policy accept;');
  for (const r of st.rules) console.log('\\t\\t' + r.text + (handles ? ' # handle ' + r.handle : ''));
  console.log('\\t}\\n}');
} else if (/^add chain inet breakglass input \\{.*\\}$/.test(cmd)) { if (!st.table) process.exit(1); st.chain = true; save(); }
else if ((m = /^add rule inet breakglass input (.*)$/.exec(cmd))) {
  if (!st.chain) process.exit(1);
  st.rules.push({ text: m[1].replace('counter drop', 'counter packets 0 bytes 0 drop'), handle: st.next++ }); save();
} else if ((m = /^delete rule inet breakglass input handle (\\d+)$/.exec(cmd))) {
  const i = st.rules.findIndex((r) => r.handle === Number(m[1]));
  if (i < 0) process.exit(1);
  st.rules.splice(i, 1); save();
} else { console.error('fake nft: unknown command: ' + cmd); process.exit(2); }
`;

/** A stand-in `iptables` (-C, -I, -D, -S INPUT); state in $FAKE_FW/iptables.json. */
const FAKE_IPTABLES = `#!${process.execPath}
const fs = require('fs');
const file = process.env.FAKE_FW + '/iptables.json';
const rules = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
const [op, ...rest] = process.argv.slice(2);
const spec = rest.join(' ');
const save = () => fs.writeFileSync(file, JSON.stringify(rules));
if (op === '-S') { console.log('-P INPUT ACCEPT'); for (const r of rules) console.log('-A ' + r); }
else if (op === '-C') process.exit(rules.includes(spec) ? 0 : 1);
else if (op === '-I') { rules.unshift(spec); save(); }
else if (op === '-D') { const i = rules.indexOf(spec); if (i < 0) process.exit(1); rules.splice(i, 1); save(); }
else process.exit(2);
`;

describe('breakglass network-block', function () {
  this.timeout(60_000);
  let dir: string;
  let fw: string;
  let node: SshNode;
  let env: Record<string, string>;
  let runbookDir: string;
  let tools: string;

  before(async () => {
    dir = tempDir('bg-netblock-');
    fw = join(dir, 'fw');
    const bin = join(dir, 'bin');
    mkdirSync(fw);
    mkdirSync(bin);
    tools = toolsDir(dir);
    writeFileSync(join(bin, 'nft'), FAKE_NFT);
    chmodSync(join(bin, 'nft'), 0o755);
    const client = makeSshKey(dir, 'client');
    node = await startSshd({ name: 'cp1', authorizedKey: client.publicLine, dir, env: { PATH: `${bin}:${tools}`, FAKE_FW: fw } });
    writeFileSync(join(dir, 'known_hosts'), `${node.knownHostsLine}\n`);
    runbookDir = join(dir, 'runbook');
    mkdirSync(runbookDir);
    writeFileSync(join(runbookDir, 'control-plane.txt'), `${node.address}\n`);
    writeFileSync(join(runbookDir, 'agents.txt'), '10.20.0.5\n10.20.0.6\n');
    env = { HOME: dir, BREAKGLASS_SSH_KEY: client.privateKey, BREAKGLASS_KNOWN_HOSTS: join(dir, 'known_hosts') };
  });
  after(async () => node && (await node.stop()));

  const ctx = (o: Partial<ActionContext> = {}): ActionContext => ({ mode: 'real', runbookDir, env, signal: new AbortController().signal, dryRun: false, log: () => undefined, ...o });
  const nft = (): { rules: { text: string; handle: number }[] } => JSON.parse(readFileSync(join(fw, 'nft.json'), 'utf8'));

  it('checks its body: addresses and CIDRs only, not too broad', () => {
    const a = actionFor('network-block')!;
    assert.ok(a.parse({ action: 'network-block', hosts: ['10.0.0.1'], sources: ['10.20.0.0/16', 'fd00::/64', '10.30.0.1-10.30.0.9'] }).spec);
    assert.match(a.parse({ action: 'network-block', hosts: ['10.0.0.1'], sources: ['nodes.example.com'] }).problems.join(), /not an IP address/);
    assert.match(a.parse({ action: 'network-block', hosts: ['10.0.0.1'], sources: ['0.0.0.0/0'] }).problems.join(), /too broad/);
    assert.match(a.parse({ action: 'network-block', hosts: ['10.0.0.1'] }).problems.join(), /give `sources`/);
  });

  it('blocks over SSH with one tagged nft rule, changes nothing the second time, and lifts exactly its rule', async () => {
    const body = { action: 'network-block', hosts: { file: 'control-plane.txt' }, sources: { file: 'agents.txt' }, port: 6443, tag: 'telemetry', user: loginUser() };
    const r = await runStep(body, ctx());
    assert.equal(r.result.ok, true, r.result.summary);
    assert.match(r.result.items[0].detail, /blocked: nft rule breakglass:telemetry \(port 6443, 2 source\(s\)\)/);
    assert.deepEqual(nft().rules.map((x) => x.text), ['ip saddr { 10.20.0.5, 10.20.0.6 } tcp dport 6443 counter packets 0 bytes 0 drop comment "breakglass:telemetry"']);
    // Someone else's rule in the same chain must survive the lift.
    const st = nft();
    st.rules.push({ text: 'ip saddr 192.0.2.1 drop comment "ops"', handle: 99 });
    writeFileSync(join(fw, 'nft.json'), JSON.stringify(st));
    const again = await runStep(body, ctx());
    assert.equal(again.result.items[0].unchanged, true, again.result.items[0].detail);
    assert.equal(nft().rules.length, 2);
    const lift = await runStep({ ...body, lift: true }, ctx());
    assert.equal(lift.result.ok, true, lift.result.summary);
    assert.match(lift.result.items[0].detail, /lifted: 1 nft rule\(s\) breakglass:telemetry/);
    assert.deepEqual(nft().rules.map((x) => x.text), ['ip saddr 192.0.2.1 drop comment "ops"']);
    const liftAgain = await runStep({ ...body, lift: true }, ctx());
    assert.equal(liftAgain.result.items[0].unchanged, true);
  });

  it('dry run connects to nothing and names the rule', async () => {
    const r = await runStep({ action: 'network-block', hosts: { file: 'control-plane.txt' }, sources: ['10.20.0.0/16'], user: loginUser() }, ctx({ dryRun: true }));
    assert.match(r.result.summary, /^dry run: nothing changed; would drop tcp\/6443 from 1 source\(s\) \(10\.20\.0\.0\/16\) with rule breakglass:[0-9a-f]{10} on 1 control-plane host/);
  });

  it('falls back to iptables where nft is missing (IPv4, IPv6 and ranges), and lifts only its rules', () => {
    const bin = join(dir, 'bin-ipt');
    const state = join(dir, 'fw-ipt');
    mkdirSync(bin);
    mkdirSync(state);
    for (const b of ['iptables', 'ip6tables']) {
      writeFileSync(join(bin, b), FAKE_IPTABLES.replace("'/iptables.json'", `'/${b}.json'`));
      chmodSync(join(bin, b), 0o755);
    }
    const sh = (script: string): string => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:${tools}`, FAKE_FW: state } });
    const rules = (b: string): string[] => JSON.parse(readFileSync(join(state, `${b}.json`), 'utf8'));
    const sources = ['10.20.0.0/16', '10.30.0.1-10.30.0.9', 'fd00::/64'];
    assert.match(sh(blockScript(sources, 6443, 'breakglass:t1')), /blocked: iptables rules breakglass:t1/);
    assert.deepEqual(rules('iptables').sort(), [
      'INPUT -p tcp --dport 6443 -m iprange --src-range 10.30.0.1-10.30.0.9 -m comment --comment breakglass:t1 -j DROP',
      'INPUT -p tcp --dport 6443 -s 10.20.0.0/16 -m comment --comment breakglass:t1 -j DROP',
    ]);
    assert.deepEqual(rules('ip6tables'), ['INPUT -p tcp --dport 6443 -s fd00::/64 -m comment --comment breakglass:t1 -j DROP']);
    assert.equal(sh(blockScript(sources, 6443, 'breakglass:t1')), '');
    sh(blockScript(['10.40.0.0/16'], 6443, 'breakglass:other'));
    sh(liftScript('breakglass:t1'));
    assert.deepEqual(rules('iptables'), ['INPUT -p tcp --dport 6443 -s 10.40.0.0/16 -m comment --comment breakglass:other -j DROP']);
    assert.deepEqual(rules('ip6tables'), []);
  });

  it('derives a stable tag from sources and port when none is given', () => {
    const a = parseNetworkBlock({ action: 'network-block', hosts: ['h'], sources: ['10.1.0.0/16', '10.2.0.0/16'] }).spec!;
    const b = parseNetworkBlock({ action: 'network-block', hosts: ['h'], sources: ['10.2.0.0/16', '10.1.0.0/16'], lift: true }).spec!;
    const pa = networkPlanTag(a.sources as string[]);
    const pb = networkPlanTag(b.sources as string[]);
    assert.equal(pa, pb);
  });
});

function networkPlanTag(sources: string[]): string {
  return ruleTag({ hosts: { hosts: ['h'] }, sources, port: 6443, lift: false, sudo: false, concurrency: 1, timeoutMs: 1000 }, sources);
}
