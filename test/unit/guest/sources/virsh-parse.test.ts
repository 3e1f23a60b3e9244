import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  dommemstatToGuestStats,
  isDomainGone,
  parseDominfo,
  parseDomainNames,
  parseDommemstat,
  virshErrorLine,
} from '../../../../src/guest/sources/virsh-parse.js';
import { virshFixture } from './virsh-fixture.js';

describe('virsh list --name', () => {
  test('one name a line; the trailing blank line is dropped', () => {
    assert.deepEqual(parseDomainNames(virshFixture('list-name-running.txt')), ['ovc-lvtest']);
    assert.deepEqual(parseDomainNames(virshFixture('list-name-running-empty.txt')), []);
    assert.deepEqual(parseDomainNames('web 1\ndb\n\n'), ['web 1', 'db']);
  });
});

describe('virsh dommemstat', () => {
  test('a booted guest: every field, KiB', () => {
    const d = parseDommemstat(virshFixture('dommemstat-running.txt'));
    assert.equal(d.actualKiB, 262144);
    assert.equal(d.rssKiB, 251904);
    assert.equal(d.lastUpdate, 1795758718);
    assert.deepEqual(d.fields, {
      actual: 262144,
      swap_in: 0,
      swap_out: 0,
      major_fault: 0,
      minor_fault: 5795,
      unused: 171948,
      available: 210872,
      usable: 175320,
      last_update: 1795758718,
      disk_caches: 12104,
      hugetlb_pgalloc: 0,
      hugetlb_pgfail: 0,
      rss: 251904,
    });
  });

  test('as guest statistics: bytes (KiB x 1024) and counts, named like the QMP ones', () => {
    const s = dommemstatToGuestStats(parseDommemstat(virshFixture('dommemstat-running.txt')));
    assert.deepEqual(s, {
      lastUpdate: 1795758718,
      stats: {
        swapIn: 0,
        swapOut: 0,
        majorFaults: 0,
        minorFaults: 5795,
        freeMemory: 171948 * 1024,
        totalMemory: 210872 * 1024,
        availableMemory: 175320 * 1024,
        diskCaches: 12104 * 1024,
        hugetlbAllocations: 0,
        hugetlbFailures: 0,
      },
    });
  });

  test('a guest that has not reported: actual and rss only, no statistics', () => {
    const d = parseDommemstat(virshFixture('dommemstat-booting.txt'));
    assert.deepEqual(d, { actualKiB: 262144, rssKiB: 52456, lastUpdate: 0, fields: d.fields });
    assert.equal(dommemstatToGuestStats(d), undefined);
  });

  test('after setmem: actual is the new size', () => {
    assert.equal(parseDommemstat(virshFixture('dommemstat-ballooned.txt')).actualKiB, 131072);
  });

  test('an older libvirt without some fields: those are undefined; junk lines are ignored', () => {
    const d = parseDommemstat('actual 1024\nunused 512\nlast_update 7\nnot a field\nrss x\n');
    assert.deepEqual(d.fields, { actual: 1024, unused: 512, last_update: 7 });
    const s = dommemstatToGuestStats(d);
    assert.equal(s?.stats.freeMemory, 512 * 1024);
    assert.equal(s?.stats.availableMemory, undefined);
    assert.deepEqual(parseDommemstat(virshFixture('dommemstat-period.txt')).fields, {});
  });
});

describe('virsh dominfo', () => {
  test('running: Max memory, Used memory, state, id', () => {
    const d = parseDominfo(virshFixture('dominfo-running.txt'));
    assert.equal(d.maxMemoryKiB, 262144);
    assert.equal(d.usedMemoryKiB, 262144);
    assert.equal(d.state, 'running');
    assert.equal(d.id, 1);
    assert.equal(d.fields['CPU time'], '4.9s');
  });

  test('shut off: no id', () => {
    const d = parseDominfo(virshFixture('dominfo-shut-off.txt'));
    assert.equal(d.id, undefined);
    assert.equal(d.state, 'shut off');
    assert.equal(d.maxMemoryKiB, 262144);
  });

  test('Used memory lags the balloon right after setmem (why actual comes from dommemstat)', () => {
    assert.equal(parseDominfo(virshFixture('dominfo-ballooned.txt')).usedMemoryKiB, 261120);
  });

  test('translated labels: the memory lines are found by their KiB values, in order', () => {
    const german =
      'Id:             1\nName:           x\nMaximaler Speicher: 2097152 KiB\nVerwendeter Speicher: 1048576 KiB\n';
    const d = parseDominfo(german);
    assert.equal(d.maxMemoryKiB, 2097152);
    assert.equal(d.usedMemoryKiB, 1048576);
  });
});

describe('virsh errors', () => {
  test('a missing or stopped domain is told apart from other failures', () => {
    const noDomain = virshFixture('dommemstat-no-domain.stderr.txt');
    const shutOff = virshFixture('dommemstat-shut-off.stderr.txt');
    const overMax = virshFixture('setmem-over-max.stderr.txt');
    assert.ok(isDomainGone(noDomain));
    assert.ok(isDomainGone(shutOff));
    assert.ok(!isDomainGone(overMax));
    assert.ok(isDomainGone("error: Domain not found: no domain with matching name 'x'"));
    assert.equal(virshErrorLine(shutOff), 'Requested operation is not valid: domain is not running');
    assert.equal(virshErrorLine(overMax), 'invalid argument: cannot set memory higher than max memory');
    assert.equal(virshErrorLine(''), '');
  });
});
