#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { isOvercommitError, errorMessage } from '../errors.js';
import { applyCommand, type ApplyFlags } from './commands/apply.js';
import { doctorCommand } from './commands/doctor.js';
import { restoreCommand } from './commands/restore.js';
import { statusCommand } from './commands/status.js';
import { EXIT } from './exit-codes.js';
import { InterruptedError } from './interrupt.js';

const int = (v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`'${v}' is not a whole number.`);
  return Number(v);
};

function buildProgram(): Command {
  const program = new Command('overcommit')
    .description(
      'Give KVM guests more memory than the host has: drive, control and measure ballooning, KSM, swap, zram and zswap',
    )
    .option(
      '--state-dir <dir>',
      'where the host-state journal lives (default $OVERCOMMIT_STATE_DIR or /var/lib/overcommit)',
    )
    .showHelpAfterError()
    .exitOverride();
  const stateDir = () => program.opts<{ stateDir?: string }>().stateDir;

  program
    .command('status')
    .description('every mechanism: settings and live figures (KSM savings, zram/zswap ratios, swap, PSI, THP, cgroups)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => statusCommand({ ...o, stateDir: stateDir() }));

  program
    .command('doctor')
    .description('what this host supports and what is missing, each with the fix')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      process.exitCode = await doctorCommand({ ...o, stateDir: stateDir() });
    });

  program
    .command('apply')
    .description('apply a host preset through the journal: none, ksm, uksm, swap-disk, zswap, zram')
    .argument('<preset>', 'none | ksm | uksm | swap-disk | zswap | zram')
    .option('--swap-path <path>', 'swap file to create (swap-disk, zswap); default <state-dir>/overcommit.swap')
    .option('--swap-size <size>', 'swap file size, e.g. 1G (default 1G)')
    .option('--swap-priority <n>', 'swap file priority (default 10)', int)
    .option('--zram-size <size>', 'zram device size (uncompressed), e.g. 2G (default 1G)')
    .option('--zram-algorithm <name>', 'zram compressor (one the kernel lists, e.g. lz4, zstd)')
    .option('--zram-mem-limit <size>', 'cap on RAM the zram device may use')
    .option('--zram-priority <n>', 'zram swap priority (default 100)', int)
    .option('--zswap-compressor <name>', 'zswap compressor, e.g. lz4')
    .option('--zswap-pool-percent <n>', 'zswap max_pool_percent', int)
    .option('--ksm-pages <n>', 'KSM pages_to_scan (ksm), first-scan floor (uksm)', int)
    .option('--ksm-sleep-ms <n>', 'KSM sleep_millisecs', int)
    .option('--uksm-target-scan-s <n>', 'uksm: seconds per full scan the advisor aims for (default 30)', int)
    .option('--uksm-max-cpu <n>', 'uksm: ksmd CPU cap in percent (default 50)', int)
    .option('--hold', 'stay in the foreground and restore on SIGINT/SIGTERM')
    .option('--dry-run', 'print what would be done; change nothing')
    .option('--json', 'print JSON')
    .action(async (preset: string, o: ApplyFlags) => applyCommand(preset, { ...o, stateDir: stateDir() }));

  program
    .command('restore')
    .description('undo every change overcommit made (replays the journal of a run that died)')
    .option('--force', 'restore even if the process that owns the journal is still alive')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean; force?: boolean }) => restoreCommand({ ...o, stateDir: stateDir() }));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      // commander printed its own message (help, version, unknown option)
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' ? 0 : EXIT.USAGE;
    }
    process.stderr.write(`overcommit: ${errorMessage(e)}\n`);
    if (e instanceof InterruptedError) return EXIT.INTERRUPTED;
    if (isOvercommitError(e)) return EXIT[e.code];
    if (e instanceof Error && e.stack && process.env.OVERCOMMIT_DEBUG) process.stderr.write(`${e.stack}\n`);
    return EXIT.INTERNAL;
  }
}

process.exitCode = await main(process.argv);
