// Builds and runs bench/breakglass-ssh.ts: 200 SSH sessions at concurrency 50 against local sshd
// instances (Debian's openssh-server), goal ≤ 10 s. Prints one JSON line; exits 1 when the goal
// is missed or a session failed.
// usage: node bench/breakglass-ssh.mjs   (SESSIONS, CONCURRENCY, NODES override the defaults)
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';

buildSync({ entryPoints: ['bench/breakglass-ssh.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: 'out/bench/breakglass-ssh.js', packages: 'external', logLevel: 'warning' });
const line = execFileSync(process.execPath, ['out/bench/breakglass-ssh.js'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 }).trim();
console.log(line);
process.exitCode = JSON.parse(line).ok ? 0 : 1;
