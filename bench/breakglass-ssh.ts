// SSH fan-out throughput: SESSIONS sessions (connect, host key check, authentication, one command)
// at concurrency CONCURRENCY against NODES local sshd instances on 127.0.0.1. Prints one JSON line.
// Built and run by bench/breakglass-ssh.mjs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fanOut, sshAuth } from '../src/breakglass/ssh';
import type { NodeAddress } from '../src/breakglass/inventory';
import { loginUser, makeSshKey, removeTempDir, startSshd, tempDir, type SshNode } from '../test/unit/helpers/servers';

const SESSIONS = Number(process.env.SESSIONS ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const NODES = Number(process.env.NODES ?? 8);
const GOAL_MS = 10_000;

async function main(): Promise<void> {
  const dir = tempDir('bg-bench-ssh-');
  const nodes: SshNode[] = [];
  try {
    const client = makeSshKey(dir, 'client');
    for (let i = 0; i < NODES; i++) nodes.push(await startSshd({ name: `n${i + 1}`, authorizedKey: client.publicLine, dir }));
    writeFileSync(join(dir, 'known_hosts'), nodes.map((n) => n.knownHostsLine).join('\n') + '\n');
    const auth = sshAuth({ HOME: dir, BREAKGLASS_SSH_KEY: client.privateKey, BREAKGLASS_KNOWN_HOSTS: join(dir, 'known_hosts') }, {}, { user: loginUser() });
    const targets: NodeAddress[] = Array.from({ length: SESSIONS }, (_, i) => {
      const n = nodes[i % nodes.length];
      return { id: `${n.address}#${i}`, host: '127.0.0.1', port: n.port };
    });
    const t0 = performance.now();
    const results = await fanOut(targets, 'echo "$BG_NODE"', auth, { concurrency: CONCURRENCY, timeoutMs: 30_000, signal: new AbortController().signal });
    const wallMs = Math.round(performance.now() - t0);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    const q = (p: number): number => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
    const failed = results.filter((r) => !r.ok);
    console.log(
      JSON.stringify({
        bench: `ssh fan-out: ${SESSIONS} sessions at concurrency ${CONCURRENCY} over ${NODES} local sshd`,
        goalMs: GOAL_MS,
        wallMs,
        sessionsPerSecond: Math.round((SESSIONS / wallMs) * 1000),
        sessionMs: { p50: q(0.5), p95: q(0.95), max: ms[ms.length - 1] },
        failed: failed.length,
        firstFailure: failed[0]?.reason,
        ok: failed.length === 0 && wallMs <= GOAL_MS,
      }),
    );
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    removeTempDir(dir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
