/**
 * A periodic task driven by observation time: the peers (MOM, Proxmox) run their loops every N seconds, whatever
 * rate the observations come at, and a bench that measures their reaction time must see exactly that. Pure.
 */

/** When the task is next due (obs.t, ms); undefined until the first observation arms it. */
export type TickSchedule = number | undefined;

export interface TickResult {
  due: boolean;
  next: number;
}

/**
 * Is the task due at t? The first call arms the schedule: due at once when `firstDelayMs` is 0, else at
 * t + firstDelayMs. Later ticks keep a fixed cadence (next = previous due time + period), so observations that
 * arrive a little late do not make the loop drift; after a gap longer than a period it restarts from t.
 */
export function tickDue(next: TickSchedule, t: number, periodMs: number, firstDelayMs = periodMs): TickResult {
  if (next === undefined) {
    return firstDelayMs <= 0 ? { due: true, next: t + periodMs } : { due: false, next: t + firstDelayMs };
  }
  if (t < next) return { due: false, next };
  const following = next + periodMs;
  return { due: true, next: following > t ? following : t + periodMs };
}
