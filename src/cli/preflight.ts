// `breakglass preflight [--config FILE] [--cluster NAME]… [--json]`: the preflight
// (src/breakglass/preflight.ts, where the config format is described) from a terminal — a line
// per cluster and path as each check ends, or one JSON document. Exit 0 when every configured path
// passed, 1 when one failed, 2 for a usage or config error.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LABEL, parsePreflightConfig, preflight, type PathResult, type PreflightConfig } from '../breakglass/preflight';

export const PREFLIGHT_USAGE = `usage: breakglass preflight [--config FILE] [--cluster NAME]… [--json]

Checks, without changing anything, that every break-glass path of every configured cluster works:
etcd (reachable, authenticated, counts keys under /registry/; an etcd user and password with an
http:// endpoint fail, or warn when the cluster's etcd entry has allowPlaintextCredentials: true),
SSH to a sample of nodes with the privilege the runbooks need, SSH to the control-plane hosts (with nft or iptables), and the
break-glass context landing in the exempt priority level.

options:
  --config FILE     the preflight config (default: .breakglass/preflight.yaml)
  --cluster NAME    only this cluster (repeatable)
  --json            one JSON document with every result
exit status: 0 every path passed, 1 a path failed, 2 usage or config error
`;

export interface PreflightIO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** `breakglass preflight …`: resolves to the exit code. */
export async function preflightCommand(argv: string[], io: PreflightIO): Promise<number> {
  let values: { config?: string; cluster?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, cluster: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.err.write(`breakglass preflight: ${(e as Error).message}\n\n${PREFLIGHT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out.write(PREFLIGHT_USAGE);
    return 0;
  }
  const env = io.env ?? process.env;
  const file = values.config ?? '.breakglass/preflight.yaml';
  let cfg: PreflightConfig;
  try {
    cfg = parsePreflightConfig(await readFile(file, 'utf8'), file, env);
  } catch (e) {
    const msg = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file}: not found (give --config FILE)` : (e as Error).message;
    io.err.write(`breakglass preflight: ${msg}\n`);
    return 2;
  }
  const width = Math.max(...cfg.clusters.map((c) => c.name.length), 7);
  let results: PathResult[];
  try {
    results = await preflight(cfg, {
      env,
      signal: io.signal ?? new AbortController().signal,
      clusters: values.cluster,
      onResult: values.json ? undefined : (x) => io.out.write(`${x.cluster.padEnd(width)}  ${LABEL[x.path].padEnd(13)}  ${!x.ok ? 'FAIL' : x.warning ? 'WARN' : 'ok  '}  ${x.detail} (${x.ms} ms)\n`),
    });
  } catch (e) {
    io.err.write(`breakglass preflight: ${(e as Error).message}\n`);
    return 2;
  }
  const failed = results.filter((x) => !x.ok).length;
  const warned = results.filter((x) => x.ok && x.warning).length;
  if (values.json) io.out.write(`${JSON.stringify({ config: cfg.file, ok: failed === 0, results }, null, 2)}\n`);
  else io.out.write(`preflight: ${results.length - failed} of ${results.length} path(s) ok${warned ? ` (${warned} with a warning)` : ''}${failed ? `, ${failed} failing` : ''}\n`);
  return failed ? 1 : 0;
}
