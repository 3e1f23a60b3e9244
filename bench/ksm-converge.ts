/**
 * bench/ksm-converge (issue 5, Performance): N guests booted from one image, KSM driven by three controllers in turn
 * on fresh guests — the kernel's defaults, the real ksmtuned (60 s interval) and our adaptive tuner — each measured
 * every second until the saving has been flat (within 2 %) for 20 s, or the cap. Per controller: final saving, time
 * from the controller's start to 90 % of it, ksmd CPU-seconds and CPU-seconds per GiB saved; then the ratios the
 * issue sets as goals (adaptive <= 1/10 of the default's time and <= 1/3 of ksmtuned's, at no more CPU per GiB).
 * KSM is host-wide: before each controller the bench waits (--wait-foreign seconds) until no other QEMU runs, and a
 * controller during whose measurement another QEMU appeared is measured again (--retries), unless --allow-foreign.
 * `--json` prints everything (settings, per-second samples, decisions) as JSON instead of the table; `--out FILE`
 * writes that JSON to FILE as well. Run as root:
 *   node --import tsx bench/ksm-converge.ts [--guests 3] [--memory 256M] [--cap 240] [--settle 5]
 *        [--only default,ksmtuned,adaptive] [--json] [--out FILE] [--allow-foreign] [--wait-foreign 900] [--retries 2]
 */
import { rm, rmdir, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { interruptScope } from '../src/cli/interrupt.js';
import { UsageError, errorMessage } from '../src/errors.js';
import type { Guest } from '../src/guest/guest.js';
import { startGuest } from '../src/guest/start.js';
import { HostJournal } from '../src/host/journal/journal.js';
import { REAL_PATHS } from '../src/host/paths.js';
import { restoreHost } from '../src/host/journal/restore.js';
import { Collector } from '../src/observe/collect.js';
import type { Observation } from '../src/observe/observation.js';
import { Recorder } from '../src/observe/recorder.js';
import { parseSize } from '../src/util/size.js';
import { startController, type BenchController, type ControllerReport } from './lib/ksm-converge-controllers.js';
import { foreignQemu, prepareHost, waitForQuietHost } from './lib/ksm-converge-host.js';
import {
  CONTROLLERS,
  FLAT_RULE,
  formatRatios,
  formatTable,
  isFlat,
  metricsOf,
  ratiosOf,
  sampleOf,
  type ControllerKind,
  type ControllerMetrics,
  withReference,
  type Sample,
} from './lib/ksm-converge-metrics.js';

const MiB = 1024 * 1024;
const { values: a } = parseArgs({
  options: {
    guests: { type: 'string', default: '3' },
    memory: { type: 'string', default: '256M' },
    cap: { type: 'string', default: '240' },
    settle: { type: 'string', default: '5' },
    only: { type: 'string', default: CONTROLLERS.join(',') },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    'allow-foreign': { type: 'boolean', default: false },
    'wait-foreign': { type: 'string', default: '900' },
    retries: { type: 'string', default: '2' },
  },
});
const num = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} ${v}`, `give a number ${min}..${max}`);
  return n;
};
const guestsN = Math.round(num('guests', a.guests, 1, 8));
const memoryBytes = parseSize(a.memory, '--memory');
const capS = num('cap', a.cap, 30, 3600);
const settleS = num('settle', a.settle, 0, 120);
const retries = Math.round(num('retries', a.retries, 0, 10));
const waitForeignS = num('wait-foreign', a['wait-foreign'], 0, 24 * 3600);
const only = a.only.split(',').map((s) => s.trim()) as ControllerKind[];
for (const c of only)
  if (!CONTROLLERS.includes(c)) throw new UsageError(`--only ${c}`, `choose from ${CONTROLLERS.join(', ')}`);
if (process.getuid?.() !== 0) throw new UsageError('bench/ksm-converge needs root', 'run it with sudo');

const stateRoot = `/var/tmp/ovc-bench-ksm-${process.pid}`;
const say = (line: string) => process.stderr.write(`${line}\n`);
const scope = interruptScope();

interface ControllerRun {
  metrics: ControllerMetrics;
  report: ControllerReport;
  host: string[];
  notes: string[];
  accel: string;
  samples: Sample[];
  /** Other QEMU guests ran at some point of the measurement (KSM is host-wide). */
  contaminated: boolean;
}

/** Resolves when `feed` says the run is over (flat or at the cap), or a few seconds after the cap if samples stall. */
function waitForEnd(
  capMs: number,
  feed: (obs: Observation) => boolean,
): { onObs: (obs: Observation) => void; done: Promise<'flat' | 'cap'> } {
  let finish: (why: 'flat' | 'cap') => void = () => undefined;
  const done = new Promise<'flat' | 'cap'>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(scope.signal.reason as Error);
    };
    const timer = setTimeout(() => finish('cap'), capMs + 5000);
    finish = (why) => {
      clearTimeout(timer);
      scope.signal.removeEventListener('abort', onAbort);
      resolve(why);
    };
    scope.signal.addEventListener('abort', onAbort, { once: true });
  });
  return { onObs: (obs) => (feed(obs) ? finish('flat') : undefined), done };
}

async function runOne(kind: ControllerKind): Promise<ControllerRun> {
  if (!a['allow-foreign']) await waitForQuietHost(REAL_PATHS, waitForeignS, say, scope.signal);
  const stateDir = join(stateRoot, kind);
  const journal = await HostJournal.begin(REAL_PATHS, stateDir, `bench ksm-converge ${kind}`);
  const guests: Guest[] = [];
  const notes: string[] = [];
  let recorder: Recorder | undefined;
  let controller: BenchController | undefined;
  try {
    const host = await prepareHost(journal);
    host.push('no budget cgroup (none is needed: nothing is limited, and see usageOf for what ksmtuned sees)');
    say(`[${kind}] starting ${guestsN} guests of ${memoryBytes / MiB} MiB`);
    const started = await Promise.all(
      Array.from({ length: guestsN }, (_, i) =>
        startGuest(journal, {
          stateDir,
          name: `k${i + 1}`,
          memoryBytes,
          vcpus: 1,
          services: ['memcached'],
          build: { layers: [] },
        }),
      ),
    );
    guests.push(...started.map((s) => s.guest));
    host.push(`guests ready in ${started.map((s) => (s.bootMs / 1000).toFixed(1)).join(', ')} s; settle ${settleS} s`);
    scope.signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, settleS * 1000));
    scope.signal.throwIfAborted();
    const ours = guests.map((g) => g.record.pid);
    const foreign = await foreignQemu(REAL_PATHS, ours);
    const seenForeign = new Set(foreign);
    const collector = new Collector({ paths: REAL_PATHS, guests: () => guests });
    const start = await collector.observe();
    const t0 = Date.now();
    controller = await startController(kind, {
      journal,
      guests: () => guests,
      start,
      guestRamBytes: guestsN * memoryBytes,
      t0,
    });
    const ctl = controller;
    const samples: Sample[] = [];
    const end = waitForEnd(capS * 1000, (obs) => {
      ctl.observe(obs);
      const s = sampleOf(obs, start, t0);
      samples.push(s);
      if (samples.length % 5 === 0)
        void foreignQemu(REAL_PATHS, ours).then((pids) => pids.forEach((p) => seenForeign.add(p)));
      if (Math.round(s.tS) % 10 === 0)
        say(
          `[${kind}] ${s.tS.toFixed(0)} s: saved ${(s.savedBytes / MiB).toFixed(1)} MiB, ksmd ${s.ksmdCpuS.toFixed(2)} s, ` +
            `run ${s.run} pages_to_scan ${s.pagesToScan ?? '?'} sleep ${s.sleepMs ?? '?'} ms, full scans ${s.fullScans}`,
        );
      return isFlat(samples) || s.tS >= capS;
    });
    recorder = new Recorder(collector, 1000, end.onObs);
    recorder.start();
    await end.done;
    await recorder.stop();
    recorder = undefined;
    const report = await controller.stop();
    controller = undefined;
    const converged = isFlat(samples);
    for (const g of guests) if (!(await g.alive())) notes.push(`guest ${g.name} died during the run`);
    if (seenForeign.size > 0)
      notes.push(
        `CONTAMINATED: other QEMU processes ran during the measurement (pids ${[...seenForeign].join(', ')}): KSM is host-wide`,
      );
    const metrics = metricsOf(kind, samples, converged);
    say(`[${kind}] ${converged ? 'flat' : 'cap'} after ${metrics.durationS.toFixed(0)} s`);
    const contaminated = seenForeign.size > 0;
    return { metrics, report, host, notes, accel: started[0]?.accel.accel ?? '?', samples, contaminated };
  } finally {
    await recorder?.stop();
    await controller?.stop().catch(() => undefined);
    for (const g of guests) g.close();
    say(`[${kind}] restoring the host`);
    // On failure restoreHost throws and keeps the journal (and this folder) for `overcommit restore`.
    await restoreHost(REAL_PATHS, stateDir, { force: true });
    await rm(stateDir, { recursive: true, force: true });
  }
}

const startedAt = new Date().toISOString();
const runs: ControllerRun[] = [];
try {
  for (const kind of only) {
    let run = await runOne(kind);
    for (let retry = 1; run.contaminated && !a['allow-foreign'] && retry <= retries; retry++) {
      say(`[${kind}] other QEMU guests ran during the measurement: measuring again (${retry}/${retries})`);
      run = await runOne(kind);
    }
    runs.push(run);
  }
} catch (e) {
  say(`bench/ksm-converge: ${errorMessage(e)}`);
  process.exitCode = scope.which() ? 130 : 1;
} finally {
  // Only when empty: a restore that failed left its journal in there.
  await rmdir(stateRoot).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') say(`kept ${stateRoot}: run overcommit restore --state-dir on each folder in it`);
  });
  scope.dispose();
}

if (runs.length > 0) {
  const rows = withReference(runs.map((r) => r.metrics));
  const ratios = ratiosOf(rows);
  const settings = {
    guests: guestsN,
    memoryBytes,
    capS,
    settleS,
    flatRule: FLAT_RULE,
    thp: 'never during each run (journaled, restored after)',
    hostKernel: release(),
    accel: runs[0]?.accel ?? '?',
  };
  const controllers = runs.map((r, i) => ({
    ...(rows[i] ?? r.metrics),
    ...r.report,
    host: r.host,
    notes: [...r.report.notes, ...r.notes],
    samples: r.samples,
  }));
  const json = JSON.stringify({ version: 1, startedAt, settings, controllers, ratios }, null, 1);
  if (a.out) await writeFile(a.out, json + '\n');
  if (a.json) {
    console.log(json);
  } else {
    console.log(
      `ksm-converge: ${guestsN} guests x ${memoryBytes / MiB} MiB, accel ${settings.accel}, kernel ${settings.hostKernel}, ` +
        `THP never, cap ${capS} s, flat = within ${FLAT_RULE.tolerance * 100} % for ${FLAT_RULE.windowS} s after >= ${FLAT_RULE.minFullScans} full scans`,
    );
    console.log(formatTable(rows));
    console.log(formatRatios(ratios));
    for (const r of runs) {
      console.log(`\n${r.metrics.controller}:`);
      for (const l of [...r.host, ...r.report.settings]) console.log(`  ${l}`);
      for (const l of [...r.report.notes, ...r.notes]) console.log(`  note: ${l}`);
    }
  }
}
