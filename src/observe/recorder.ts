import type { Collector } from './collector-like.js';
import type { Observation } from './observation.js';

/**
 * The sar of the lab: one Observation per period (1 s), kept in memory as a time series. A tick that takes longer
 * than the period delays the next one instead of piling up; a failing tick is counted and skipped.
 */
export class Recorder {
  readonly series: Observation[] = [];
  errors = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly collector: Collector,
    private readonly periodMs = 1000,
    private readonly onObservation?: (o: Observation) => void,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      const started = Date.now();
      try {
        const o = await this.collector.observe();
        this.series.push(o);
        this.onObservation?.(o);
      } catch {
        this.errors++;
      }
      if (!this.stopped)
        this.timer = setTimeout(
          () => {
            this.running = tick();
          },
          Math.max(0, this.periodMs - (Date.now() - started)),
        );
    };
    this.running = tick();
  }

  async stop(): Promise<Observation[]> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    return this.series;
  }
}
