/** The agent's in-process event bus: the loop publishes observations and decisions, SSE clients subscribe. */
import type { AgentEvent, AgentEventSource } from './state.js';

export class EventBus implements AgentEventSource {
  private readonly listeners = new Set<(e: AgentEvent) => void>();

  subscribe(fn: (e: AgentEvent) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Delivers to every subscriber; one that throws is dropped and never stops the others (or the loop). */
  publish(e: AgentEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e);
      } catch {
        this.listeners.delete(fn);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
