import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Iperf3Error, parseIperf3 } from '../../../../src/lab/workloads/network.js';

const fixture = (n: string) => readFile(new URL(`../../../fixtures/iperf3/${n}`, import.meta.url), 'utf8');

test('parseIperf3 reads the receiver-side rate of real iperf3 -J runs against a guest (both directions)', async () => {
  assert.equal(Math.round(parseIperf3(await fixture('host-to-guest.json'))), 710831982);
  assert.equal(Math.round(parseIperf3(await fixture('guest-to-host.json'))), 349512518);
});

test('parseIperf3: iperf3 error output and garbage are Iperf3Errors naming the cause', async () => {
  assert.throws(
    () => parseIperf3(''),
    (e) => e instanceof Iperf3Error && /not JSON/.test(e.message),
  );
  const busy = await fixture('error-busy.json');
  assert.throws(
    () => parseIperf3(busy),
    (e) => e instanceof Iperf3Error && /unable to receive control message/.test(e.message),
  );
  assert.throws(() => parseIperf3('{"end":{}}'), /no end\.sum_received/);
});
