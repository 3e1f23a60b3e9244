/** A fake loop for the HTTP tests: records the commands it receives. */
import { EventBus } from '../../src/agent/events.js';
import { createApp, type AppOptions } from '../../src/agent/http.js';
import { createMetricsRegistry } from '../../src/agent/metrics.js';
import type { AgentControl, AgentSnapshot, PolicyPatch } from '../../src/agent/state.js';
import { UsageError } from '../../src/errors.js';
import { sampleSnapshot } from '../unit/agent/snapshot-fixture.js';

export const TOKEN = 'test-token-0123456789abcdef';

export class FakeControl implements AgentControl {
  calls: (string | [string, unknown, unknown?])[] = [];
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  setBalloon(guest: string, targetBytes: number): Promise<void> {
    this.calls.push(['setBalloon', guest, targetBytes]);
    return Promise.resolve();
  }
  setPolicy(patch: PolicyPatch): void {
    if (patch.balloon?.lowWatermark === 0.5) throw new UsageError('lowWatermark above highWatermark', 'fix it');
    this.calls.push(['setPolicy', patch]);
  }
}

export function makeApp(over: Partial<AppOptions> = {}) {
  const control = new FakeControl();
  const bus = new EventBus();
  let snap: AgentSnapshot = sampleSnapshot();
  const app = createApp({
    snapshot: () => snap,
    control,
    bus,
    registry: createMetricsRegistry(),
    token: TOKEN,
    maxBodyBytes: 1024,
    ...over,
  });
  return { app, control, bus, setSnapshot: (s: AgentSnapshot) => (snap = s) };
}

export function post(body: unknown, token: string | null = TOKEN): RequestInit {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
