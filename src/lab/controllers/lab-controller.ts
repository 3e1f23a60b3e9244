/** What every controller of a lab strategy is, and what it is given (controller.ts starts one). */
import type { TimelineEntry } from '../../control/policy-loop.js';
import type { Guest } from '../../guest/guest.js';
import type { CgroupLayout } from '../../host/mechanisms/budget-cgroup.js';
import type { HostJournal } from '../../host/journal/journal.js';
import type { Observation } from '../../observe/observation.js';
import type { StrategySetup } from '../strategies.js';

export interface LabController {
  observe(obs: Observation): void;
  /** The decisions so far (ksmtuned's are read from its log when it stops). */
  timeline(): readonly TimelineEntry[];
  /** Stops acting; returns the decisions taken and lines for the report's settings. */
  stop(): Promise<{ timeline: TimelineEntry[]; settings: string[]; notes: string[] }>;
}

export interface LabControllerContext {
  journal: HostJournal;
  guests: () => readonly Guest[];
  budget?: { layout: CgroupLayout; path: string; limitBytes: number };
  setup: StrategySetup;
  stateDir: string;
  cacheDir?: string;
}
