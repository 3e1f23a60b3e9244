/** What a lab run is given (runner.ts runs it, run-strategy.ts runs one strategy of it). */
import type { HostPaths } from '../host/paths.js';
import type { Progress } from './progress.js';
import type { Scenario } from './scenario.js';

export interface LabRunOptions {
  scenario: Scenario;
  paths: HostPaths;
  stateDir: string;
  outDir: string;
  signal?: AbortSignal;
  progress?: Progress;
  cacheDir?: string;
}
