import { Guest } from '../guest/guest.js';
import { startGuest } from '../guest/start.js';
import { executePlan, preflight } from '../host/apply.js';
import { createBudgetGroup, detectCgroupLayout } from '../host/mechanisms/budget-cgroup.js';
import { HostJournal } from '../host/journal/journal.js';
import { describeStep, type Plan, type PresetOptions } from '../host/presets.js';
import { startLabController, type LabController } from './controllers/controller.js';
import { strategySetup } from './strategies.js';
import { spikeOutcome } from './spike-outcome.js';
import { restoreHost } from '../host/journal/restore.js';
import { Collector } from '../observe/collect.js';
import { Recorder } from '../observe/recorder.js';
import type { FioResult, NetworkResult, StrategyResult } from './results.js';
import { budgetBytes, type LabStrategy, type Scenario } from './scenario.js';
import { costBetween } from './summarize.js';
import { memcachedPhases } from './workloads/memcached-phases.js';
import { networkPhase } from './workloads/network.js';
import { FIO_JOBS } from './workloads/fio/parse.js';
import { fioPhase } from './workloads/fio/phase.js';
import { errorMessage } from '../errors.js';

const fmtMiB = (b: number) => `${Math.round(b / (1024 * 1024))} MiB`;

import type { LabRunOptions } from './run-options.js';

function presetOptions(s: Scenario): PresetOptions {
  const p: PresetOptions = { swapSize: String(s.swap.size), zramSize: String(s.zram.size) };
  if (s.swap.path) p.swapPath = s.swap.path;
  if (s.zram.algorithm) p.zramAlgorithm = s.zram.algorithm;
  return p;
}

export interface StrategyRunOptions {
  repetition: number;
  say: (phase: string) => void;
  sawGuest: (g: Guest) => Promise<void>;
  /** Run at this overcommit ratio instead of the scenario's (the density scenario's steps). */
  ratio?: number;
}

/**
 * One strategy, once: fresh guests in a fresh budget cgroup under the strategy's host preset (and its controller),
 * memcached filled, warmed up and measured while the recorder samples every second, then network and fio, every
 * key read back; the host is restored afterwards (also on abort).
 */
export async function runStrategy(
  o: LabRunOptions,
  strategy: LabStrategy,
  r: StrategyRunOptions,
): Promise<StrategyResult> {
  const { repetition, say, sawGuest } = r;
  const s = o.scenario;
  const { budget, ratio, guestRam } = budgetBytes(s, strategy, r.ratio);
  const notes: string[] = [];
  const journal = await HostJournal.begin(o.paths, o.stateDir, `lab ${strategy} #${repetition}`);
  const guests: Guest[] = [];
  let recorder: Recorder | undefined;
  let plan: Plan;
  let controller: LabController | undefined;
  const t0 = Date.now();
  try {
    say('host preset');
    const setup = strategySetup(strategy, presetOptions(s), o.stateDir);
    plan = setup.plan;
    await preflight(o.paths, plan);
    await executePlan(journal, plan);
    if (s.thp !== 'keep') await journal.setKnob('thp/enabled', s.thp);
    const layout = await detectCgroupLayout(o.paths);
    const group = layout
      ? await createBudgetGroup(journal, layout, 'lab', { limitBytes: budget, swapLimitBytes: null })
      : undefined;
    if (!layout) notes.push('no memory cgroup: the budget could not be enforced');
    say(`starting ${s.guests.count} guests`);
    const started = await Promise.all(
      Array.from({ length: s.guests.count }, (_, i) =>
        startGuest(journal, {
          stateDir: o.stateDir,
          name: `lab${i + 1}`,
          memoryBytes: s.guests.memory,
          vcpus: s.guests.vcpus,
          services: s.network.seconds > 0 ? ['memcached', 'iperf3'] : ['memcached'],
          ...(group ? { cgroupPath: group } : {}),
          ...(s.fio.seconds > 0 && i === 0 ? { diskBytes: s.fio.diskSize } : {}),
          build: { ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), layers: s.fio.seconds > 0 ? ['fio' as const] : [] },
        }),
      ),
    );
    guests.push(...started.map((x) => x.guest));
    await sawGuest(guests[0] as Guest);
    const collector = new Collector({
      paths: o.paths,
      guests: () => guests,
      ...(layout && group ? { budget: { layout, path: group } } : {}),
      inGuestEvery: 5,
    });
    if (setup.controller) {
      say(`starting the ${setup.controller} controller`);
      controller = await startLabController(setup.controller, {
        journal,
        guests: () => guests,
        ...(layout && group ? { budget: { layout, path: group, limitBytes: budget } } : {}),
        setup,
        stateDir: o.stateDir,
        ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
      });
    }
    const feed = controller;
    recorder = new Recorder(collector, 1000, feed ? (obs) => feed.observe(obs) : undefined);
    recorder.start();
    const mc = await memcachedPhases(s, guests, { signal: o.signal, say });
    let network: NetworkResult | undefined;
    const first = guests[0];
    if (s.network.seconds > 0 && first && (await first.alive())) {
      say(`network: iperf3 both ways and request/response, ${s.network.seconds} s each`);
      network = await networkPhase(first.record.ports, s.network.seconds).catch((e: unknown) => {
        notes.push(`network phase failed: ${errorMessage(e)}`);
        return undefined;
      });
    }
    let fio: FioResult[] | undefined;
    if (s.fio.seconds > 0 && first && (await first.alive())) {
      say(`fio: ${FIO_JOBS.length} jobs of ${s.fio.seconds} s on a virtio-blk disk`);
      fio = await fioPhase(first, s.fio.seconds).catch((e: unknown) => {
        notes.push(`fio phase failed: ${errorMessage(e)}`);
        return undefined;
      });
    }
    o.signal?.throwIfAborted();
    const series = await recorder.stop();
    recorder = undefined;
    const control = controller ? await controller.stop() : undefined;
    controller = undefined;
    const measured = series.filter((x) => x.t >= mc.measuredFrom);
    const firstObs = measured[0] ?? series[0];
    const last = series[series.length - 1];
    const oomKills = (last?.host.budget?.oomKills ?? 0) - (series[0]?.host.budget?.oomKills ?? 0);
    for (const g of guests) {
      if (await g.alive()) continue;
      const diedAt = series.find((x) => x.guests.some((y) => y.name === g.name && !y.alive));
      const when = diedAt ? ` ${Math.round((diedAt.t - t0) / 1000)} s into the run` : '';
      notes.push(
        oomKills > 0
          ? `guest ${g.name} was killed${when}: the kernel's OOM killer fired ${oomKills}x in the budget cgroup (the strategy could not hold the guests in ${fmtMiB(budget)})`
          : `guest ${g.name} died${when} (no OOM kill in the budget cgroup: see its serial log)`,
      );
    }
    notes.push(...mc.notes, ...(control?.notes ?? []));
    if (series.length === 0) notes.push('the recorder took no observation');
    const result: StrategyResult = {
      strategy,
      repetition,
      startedAt: new Date(t0).toISOString(),
      durationS: (Date.now() - t0) / 1000,
      guestRamBytes: guestRam,
      budgetBytes: budget,
      overcommitRatio: ratio,
      hostSettings: [
        ...plan.steps.map(describeStep),
        `budget cgroup: ${fmtMiB(budget)} for ${s.guests.count} guests`,
        `transparent huge pages: ${s.thp === 'keep' ? 'as the host had them' : s.thp}`,
        ...(control?.settings ?? []),
      ],
      ...(control ? { timeline: control.timeline } : {}),
      ...(mc.spike ? { spike: spikeOutcome(mc.spike, series, control?.timeline) } : {}),
      ...(mc.result ? { memcached: mc.result } : {}),
      ...(network ? { network } : {}),
      ...(fio ? { fio } : {}),
      ...(firstObs && last
        ? costBetween(firstObs, last)
        : {
            savedBytes: { ksm: 0, zram: 0, zswap: 0, balloon: 0 },
            cpuSeconds: { ksmd: 0, kswapd: 0, system: 0, user: 0, iowait: 0 },
            swapIo: { pagesIn: 0, pagesOut: 0 },
          }),
      series,
      notes,
    };
    return result;
  } finally {
    await recorder?.stop();
    await controller?.stop().catch(() => undefined);
    say('restoring the host');
    for (const g of guests) g.close();
    await restoreHost(o.paths, o.stateDir, { force: true });
  }
}
