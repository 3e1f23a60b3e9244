import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createMetricsRegistry, updateMetrics } from '../../../src/agent/metrics.js';
import { emptySnapshot } from '../../../src/agent/state.js';
import { sampleSnapshot } from './snapshot-fixture.js';

/** The exposition text for sampleSnapshot(), checked by hand: names, types, labels, units and values. */
const EXPECTED = readFileSync(new URL('./fixtures/metrics-sample.prom', import.meta.url), 'utf8');

/** The sample lines (no HELP/TYPE comments) of a family. */
function samples(text: string, family: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(family) && (l[family.length] === ' ' || l[family.length] === '{'));
}

describe('agent metrics', () => {
  test('exposition text of a small snapshot, exactly', async () => {
    const registry = createMetricsRegistry();
    updateMetrics(registry, sampleSnapshot());
    assert.equal(await registry.metrics(), EXPECTED);
    assert.equal(registry.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  });

  test('every family follows the naming conventions', async () => {
    const registry = createMetricsRegistry();
    updateMetrics(registry, sampleSnapshot());
    const text = await registry.metrics();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      const [, name = '', type] = m;
      assert.match(name, /^overcommit_[a-z0-9_]+$/);
      if (type === 'counter') assert.match(name, /_total$/, name);
      else assert.doesNotMatch(name, /_total$/, name);
    }
  });

  test('a failing collector shows as 0, its metrics are left out, and the scrape still succeeds', async () => {
    const registry = createMetricsRegistry();
    const s = sampleSnapshot();
    s.collectorSuccess = { host: true, ksm: false, zram: false };
    s.loop.errors = { ksm: 4 };
    updateMetrics(registry, s);
    const text = await registry.metrics();
    assert.deepEqual(samples(text, 'overcommit_collector_success'), [
      'overcommit_collector_success{collector="host"} 1',
      'overcommit_collector_success{collector="ksm"} 0',
      'overcommit_collector_success{collector="zram"} 0',
    ]);
    assert.deepEqual(samples(text, 'overcommit_loop_errors_total'), [
      'overcommit_loop_errors_total{collector="ksm"} 4',
    ]);
    assert.deepEqual(samples(text, 'overcommit_ksm_sharing_pages'), []);
    assert.deepEqual(samples(text, 'overcommit_zram_original_bytes'), []);
    assert.deepEqual(samples(text, 'overcommit_zswap_pool_bytes'), ['overcommit_zswap_pool_bytes 20971520']);

    // The whole host collector failing: no host numbers at all (not zeros), guests and loop still there.
    s.collectorSuccess = { host: false };
    updateMetrics(registry, s);
    const text2 = await registry.metrics();
    assert.deepEqual(samples(text2, 'overcommit_host_memory_total_bytes'), []);
    assert.deepEqual(samples(text2, 'overcommit_ksm_saved_bytes'), []);
    assert.deepEqual(samples(text2, 'overcommit_collector_success'), [
      'overcommit_collector_success{collector="host"} 0',
    ]);
    assert.equal(samples(text2, 'overcommit_guest_rss_bytes').length, 2);
  });

  test('before the first tick: no observation, a valid scrape', async () => {
    const registry = createMetricsRegistry();
    updateMetrics(registry, emptySnapshot());
    const text = await registry.metrics();
    assert.deepEqual(samples(text, 'overcommit_host_memory_total_bytes'), []);
    assert.deepEqual(samples(text, 'overcommit_agent_paused'), ['overcommit_agent_paused 0']);
    assert.match(text, /^overcommit_actions_total\{kind="balloon"\} 0$/m);
    assert.match(text, /^overcommit_loop_tick_seconds_count 0$/m);
  });

  test('each tick is observed once; gone guests lose their series; counters follow the kernel', async () => {
    const registry = createMetricsRegistry();
    const s = sampleSnapshot();
    updateMetrics(registry, s);
    updateMetrics(registry, s); // no new tick: nothing observed twice
    s.loop = { ...s.loop, ticks: 4, tickDurationsMs: [4, 30, 600] };
    s.observation = { ...s.observation!, guests: s.observation!.guests.slice(0, 1) };
    s.observation.host = { ...s.observation.host, pswpin: 1500 };
    updateMetrics(registry, s);
    const text = await registry.metrics();
    assert.match(text, /^overcommit_loop_tick_seconds_count 4$/m);
    assert.match(text, /^overcommit_loop_tick_seconds_sum 0\.636$/m);
    assert.match(text, /^overcommit_loop_tick_seconds_bucket\{le="0\.5"\} 3$/m);
    assert.deepEqual(samples(text, 'overcommit_guest_rss_bytes'), [
      'overcommit_guest_rss_bytes{guest="vm1"} 314572800',
    ]);
    assert.deepEqual(samples(text, 'overcommit_host_swap_in_pages_total'), [
      'overcommit_host_swap_in_pages_total 1500',
    ]);
  });

  test('only registries made for the agent are accepted', () => {
    assert.throws(() => updateMetrics(new Registry(), emptySnapshot()), /createMetricsRegistry/);
  });
});
