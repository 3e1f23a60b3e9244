/**
 * `overcommit agent`: the daemon. Loads the config, starts the guest sources, the loop, the HTTP server (metrics, API,
 * dashboard), and runs until SIGTERM/SIGINT; SIGHUP reloads the config (an invalid one is refused and the old one
 * kept). On shutdown it stops acting, deflates the balloons it inflated and restores the host (both configurable).
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { EventBus } from '../../agent/events.js';
import { createApp } from '../../agent/http.js';
import { AgentVerbs } from '../../agent/control.js';
import { AgentLoop } from '../../agent/loop.js';
import { createMetricsRegistry } from '../../agent/metrics.js';
import { AGENT_NODE_FLAGS, hasAgentNodeFlags } from '../../agent/node-flags.js';
import { startHttp } from '../../agent/server.js';
import { loadToken } from '../../agent/token.js';
import { DEFAULT_CONFIG_PATH, loadConfig, printConfig, reloadConfig, type AgentConfig } from '../../agent/config.js';
import { errorMessage } from '../../errors.js';
import { LibvirtSource } from '../../guest/managed/libvirt.js';
import { QmpSocketSource } from '../../guest/managed/qmp-sockets.js';
import type { GuestSource } from '../../guest/managed/source.js';
import { detectCgroupLayout } from '../../host/mechanisms/budget-cgroup.js';
import { HostJournal, loadJournal } from '../../host/journal/journal.js';
import type { HostPaths } from '../../host/paths.js';
import { restoreHost } from '../../host/journal/restore.js';
import { cliContext, requireRoot } from '../context.js';

export interface AgentFlags {
  config?: string;
  dryRun?: boolean;
  printConfig?: boolean;
  stateDir?: string;
}

function sourcesFor(cfg: AgentConfig): GuestSource[] {
  const out: GuestSource[] = [];
  if (cfg.guests.qmpSockets.length > 0)
    out.push(
      new QmpSocketSource({
        sockets: cfg.guests.qmpSockets,
        timeoutMs: cfg.guests.timeoutMs,
        statsPeriodSeconds: cfg.guests.libvirt.statsPeriodSeconds,
      }),
    );
  if (cfg.guests.libvirt.enabled)
    out.push(
      new LibvirtSource({ uri: cfg.guests.libvirt.uri, statsPeriodSeconds: cfg.guests.libvirt.statsPeriodSeconds }),
    );
  return out;
}

async function budgetOf(paths: HostPaths, cfg: AgentConfig) {
  if (!cfg.budgetCgroup) return undefined;
  const layout = await detectCgroupLayout(paths);
  return layout ? { layout, path: join(layout.memoryRoot, cfg.budgetCgroup) } : undefined;
}

export async function agent(f: AgentFlags): Promise<void> {
  const path = f.config ?? DEFAULT_CONFIG_PATH;
  let cfg = await loadConfig(path, { missingOk: f.config === undefined });
  if (f.dryRun) cfg = { ...cfg, dryRun: true };
  if (f.printConfig) {
    process.stdout.write(printConfig(cfg));
    return;
  }
  const log = pino({ level: cfg.log.level, base: { app: 'overcommit-agent' } });
  // Signals first: a SIGTERM during start-up or shutdown must not kill the agent half-way (a repeat is ignored).
  let stopRequested: (sig: string) => void = () => undefined;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal: sig }, 'already stopping: ignored');
      return;
    }
    stopping = true;
    stopRequested(sig);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const ctx = cliContext(f.stateDir === undefined ? join(cliContext(undefined).stateDir, 'agent') : f.stateDir);
  if (!cfg.dryRun) requireRoot('agent (without --dry-run)');
  let journal: HostJournal | undefined;
  if (!cfg.dryRun) {
    const left = await loadJournal(ctx.stateDir);
    if (left) {
      log.warn({ stateDir: ctx.stateDir, label: left.label }, 'a journal from an earlier run was left: restoring it');
      await restoreHost(ctx.paths, ctx.stateDir, { keepKsmMerged: true });
    }
    journal = await HostJournal.begin(ctx.paths, ctx.stateDir, 'agent');
  }
  const token = await loadToken(cfg.http);
  for (const w of token.warnings) log.warn(w);
  if (!token.token) log.warn('no http.token or http.tokenFile: every write to the API is refused');
  const bus = new EventBus();
  const sources = sourcesFor(cfg);
  const budget = await budgetOf(ctx.paths, cfg);
  const loop = new AgentLoop({
    config: cfg,
    paths: ctx.paths,
    ...(journal ? { journal } : {}),
    sources,
    bus,
    log,
    ...(budget ? { budget } : {}),
  });
  const verbs = new AgentVerbs(loop, log);
  const registry = createMetricsRegistry();
  const app = createApp({
    snapshot: loop.snapshot,
    control: verbs,
    bus,
    registry,
    token: token.token,
    maxBodyBytes: cfg.http.maxBodyBytes,
    loopbackOnly: !cfg.http.allowRemote,
    audit: (e) => log.info(e, 'api write'),
  });
  const http = await startHttp(app, { listen: cfg.http.listen, port: cfg.http.port });
  const base = http.url.endsWith('/') ? http.url : `${http.url}/`;
  log.info({ url: base, dryRun: cfg.dryRun, tickSeconds: cfg.tickSeconds }, 'agent started');
  if (!hasAgentNodeFlags())
    log.info(
      { flags: AGENT_NODE_FLAGS },
      'node runs without the agent flags: it costs more CPU (the systemd unit runs node with them)',
    );
  process.stderr.write(`overcommit agent: ${base} (dashboard), ${base}metrics${cfg.dryRun ? ', dry run' : ''}\n`);
  loop.start();

  const stopped = new Promise<void>((resolve) => {
    const onHup = () => {
      void reloadConfig(path, cfg).then((r) => {
        if (r.error) log.error({ err: r.error.message }, 'config reload refused: keeping the old config');
        else {
          cfg = { ...r.config, dryRun: cfg.dryRun };
          verbs.applyPolicy(cfg.policy);
          log.info({ changed: r.changed }, 'config reloaded (policy applied; http/guests changes need a restart)');
        }
      });
    };
    stopRequested = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      process.off('SIGHUP', onHup);
      process.on('SIGHUP', () => log.warn('stopping: SIGHUP ignored'));
      resolve();
    };
    process.on('SIGHUP', onHup);
    if (stopping) resolve();
  });
  await stopped;

  try {
    await http.close().catch((e: unknown) => log.warn({ err: errorMessage(e) }, 'http close failed'));
    await loop.stop();
    if (cfg.shutdown.deflateBalloons && !cfg.dryRun) {
      const done = await loop.deflateAll();
      if (done.length > 0) log.info({ done }, 'balloons given back');
    }
  } finally {
    for (const s of sources) s.close();
    if (journal) {
      if (cfg.shutdown.restoreHost) {
        try {
          // ksmd stops; what it merged stays merged (a restart must not hand every shared page back at once).
          await restoreHost(ctx.paths, ctx.stateDir, { force: true, keepKsmMerged: true });
          log.info('host restored');
        } catch (e) {
          log.error(
            { err: errorMessage(e) },
            `host restore failed: run overcommit --state-dir ${ctx.stateDir} restore`,
          );
        }
      } else log.info({ stateDir: ctx.stateDir }, 'host left as it is (shutdown.restoreHost: false)');
    }
  }
}
