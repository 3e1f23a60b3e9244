#!/usr/bin/env node
import { Command, Option, InvalidArgumentError } from 'commander';
import { isOvercommitError, errorMessage } from '../errors.js';
import { applyCommand, type ApplyFlags } from './commands/apply.js';
import { doctorCommand } from './commands/doctor.js';
import { restoreCommand } from './commands/restore.js';
import { statusCommand } from './commands/status.js';
import { agent, type AgentFlags } from './commands/agent.js';
import { labReport, labRun, type LabRunFlags } from './commands/lab.js';
import { vmBalloon, vmExec, vmList, vmStart, vmStats, vmStop, type VmStartFlags } from './commands/vm.js';
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
  const vm = program
    .command('vm')
    .description('real QEMU guests with virtio-balloon: start, list, balloon, stats, exec, stop');
  vm.command('start')
    .description('build (or reuse) the guest image and boot a guest; returns when memcached answers')
    .argument('<name>')
    .requiredOption('--memory <size>', 'guest RAM, e.g. 256M')
    .option('--vcpus <n>', 'virtual CPUs (default 1)', int)
    .option('--services <list>', 'memcached,iperf3 or none (default memcached)')
    .option('--disk <size>', 'attach a virtio-blk disk of this size (for fio)')
    .option('--fio', 'add the fio layer to the image')
    .option('--kernel <path>', "your own kernel (bzImage, virtio built in) instead of Debian's")
    .option('--cache-dir <dir>', 'image cache (default $OVERCOMMIT_CACHE_DIR or /var/cache/overcommit)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: VmStartFlags) => vmStart(name, { ...o, stateDir: stateDir() }));
  vm.command('list')
    .description('guests with state, balloon, RSS and KSM-merged pages')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => vmList({ ...o, stateDir: stateDir() }));
  vm.command('balloon')
    .description('set the balloon target (the memory the guest should keep)')
    .argument('<name>')
    .argument('<size>')
    .option('--json', 'print JSON')
    .action(async (name: string, size: string, o: { json?: boolean }) =>
      vmBalloon(name, size, { ...o, stateDir: stateDir() }),
    );
  vm.command('stats')
    .description('balloon, guest stats, in-guest meminfo/PSI, QEMU RSS/PSS and KSM pages')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => vmStats(name, { ...o, stateDir: stateDir() }));
  vm.command('exec')
    .description('run a command in the guest: overcommit vm exec NAME -- CMD ARGS...; exits with its status')
    .argument('<name>')
    .argument('[cmd...]')
    .option('--timeout <seconds>', 'give up after this long (default 600)', int)
    .action(async (name: string, cmd: string[], o: { timeout?: number }) => {
      process.exitCode = await vmExec(name, cmd, { ...o, stateDir: stateDir() });
    });
  vm.command('stop')
    .description('stop a guest and remove its files')
    .argument('<name>')
    .action(async (name: string) => vmStop(name, { stateDir: stateDir() }));
  const lab = program.command('lab').description('measure what each way of overselling memory costs, on real guests');
  lab
    .command('run')
    .description(
      'run a scenario (default: the seed plan at small scale, 9 strategies, 10.3 min on 2 cores under TCG) and write results.json, report.md, report.html',
    )
    .option('--quick', 'the ~3-minute version of the default plan')
    .option('--scenario <name|file.yaml>', 'default, quick, tiny, density, spike, or a YAML scenario file')
    .option('--out <dir>', 'run folder (default runs/<time>-<scenario>)')
    .addOption(
      new Option('--loadgen <tool>', "who drives memcached's measured phase (overrides the scenario)").choices([
        'ours',
        'memcaslap',
      ]),
    )
    .option('--cache-dir <dir>', 'guest image cache')
    .option('--json', 'print where the results are as JSON')
    .action(async (o: LabRunFlags) => labRun({ ...o, stateDir: stateDir() }));
  lab
    .command('report')
    .description('render report.md and report.html again from a run folder (or its results.json)')
    .argument('<run>')
    .option('--json', 'print where the report is as JSON')
    .action(async (run: string, o: { json?: boolean }) => labReport(run, o));
  program
    .command('agent')
    .description('run the controller as a daemon: observe -> decide -> act, Prometheus metrics, JSON API, dashboard')
    .option('--config <file>', 'YAML config (default /etc/overcommit/config.yaml; missing: all defaults)')
    .option('--dry-run', 'log every action it would take; change nothing')
    .option('--print-config', 'print the effective config and exit')
    .action(async (o: AgentFlags) => {
      const dir = stateDir();
      await agent({ ...o, ...(dir !== undefined ? { stateDir: dir } : {}) });
    });
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
