import type { Observation } from './observation.js';

/** What the recorder needs: something that takes an Observation (the real Collector, or a fake in tests). */
export interface Collector {
  observe(): Promise<Observation>;
}
