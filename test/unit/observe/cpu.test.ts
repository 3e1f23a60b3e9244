import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePidCpuTicks, parseProcStatCpu } from '../../../src/observe/cpu.js';

test('parseProcStatCpu folds nice into user and irq/softirq into system', () => {
  const t = 'cpu  100 5 50 1000 7 1 2 3 0 0\ncpu0 50 2 25 500 3 0 1 1 0 0\nintr 123\n';
  assert.deepEqual(parseProcStatCpu(t), { user: 105, system: 53, iowait: 7, steal: 3, idle: 1000, total: 1168 });
});

test('parsePidCpuTicks: utime + stime, after a comm with spaces and parens', () => {
  const stat = '42 (ksm d) x) S 2 0 0 0 -1 2129984 0 0 0 0 17 29 0 0 25 5 1 0 300 0 0 18446744073709551615';
  assert.equal(parsePidCpuTicks(stat), 46);
});
