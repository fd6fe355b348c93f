// The `breakglass` command line: the same engine as the extension, without VS Code.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RUN_USAGE, UsageError, runCommand } from './run';
import { SIM_USAGE, simCommand } from './sim';
import { readJournal } from '../runbook/journal';
import { renderReport } from '../runbook/report';

const USAGE = `usage: breakglass <command> [options]

commands:
  run <runbook.md> …        run runbook steps (breakglass run --help)
  report <journal.jsonl>    write the after-action report of a journal (markdown) [-o FILE]
  check <runbook.md>        list a runbook's problems with line numbers; exit 1 on errors
  sim run <scenario.yaml>   play a tabletop scenario on the cluster model (breakglass sim --help)
  lint <files|dirs…>        API-server load of manifests at every cluster size (breakglass lint --help)
  preflight [--config F]    verify every break-glass path without changing anything
  health                    poll a cluster's health within a fixed request budget (breakglass health --help)
  tabletop <scenario.yaml> --runbook <runbook.md> [--auto]
                            a tabletop exercise on simulated clusters, scored (breakglass tabletop --help)
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const io = { out: process.stdout, err: process.stderr, isTTY: !!process.stdin.isTTY };
  switch (cmd) {
    case 'run':
      return runCommand(rest, io);
    case 'sim':
      return simCommand(rest, io);
    case 'lint': {
      const { lintCommand } = await import('./lint');
      return lintCommand(rest, io);
    }
    case 'preflight': {
      const { preflightCommand } = await import('./preflight');
      return preflightCommand(rest, io);
    }
    case 'tabletop': {
      const { tabletopCommand } = await import('./tabletop');
      return tabletopCommand(rest, io);
    }
    case 'health': {
      const { healthCommand } = await import('./health');
      return healthCommand(rest, io);
    }
    case 'report': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
      if (positionals.length !== 1) throw new UsageError('give one journal file');
      const read = readJournal(positionals[0]);
      for (const e of read.errors) process.stderr.write(`${positionals[0]}:${e.line}: ${e.message}\n`);
      const md = renderReport(read.events, positionals[0]);
      if (values.output) writeFileSync(values.output, md);
      else process.stdout.write(md);
      return 0;
    }
    case 'check': {
      if (rest.length !== 1) throw new UsageError('give one runbook file');
      const { parseRunbook } = await import('../runbook/parse');
      const { runbook } = parseRunbook(readFileSync(rest[0], 'utf8'), rest[0]);
      for (const d of runbook.diagnostics) process.stdout.write(`${rest[0]}:${d.line + 1}: ${d.severity}: ${d.message} [${d.code}]\n`);
      process.stdout.write(`${runbook.steps.length} steps, ${runbook.diagnostics.filter((d) => d.severity === 'error').length} errors\n`);
      return runbook.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

// A closed pipe (`breakglass sim run … | head`) is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`breakglass: ${(err as Error).message}\n`);
      if (process.argv[2] === 'run') process.stderr.write(`\n${RUN_USAGE}\n`);
      else if (process.argv[2] === 'sim') process.stderr.write(`\n${SIM_USAGE}\n`);
      else process.stderr.write(`\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`breakglass: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
