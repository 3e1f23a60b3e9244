import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  balloonGuestStats,
  isDomainGone,
  parseDomstatsBalloon,
  virshErrorLine,
} from '../../../../src/guest/managed/virsh-parse.js';
import { virshFixture } from './virsh-fixture.js';

describe('virsh domstats --balloon', () => {
  test('a booted guest: every field, KiB, named as dommemstat names them', () => {
    const [d, ...rest] = parseDomstatsBalloon(virshFixture('domstats-balloon-running.txt'));
    assert.equal(rest.length, 0);
    assert.ok(d);
    assert.equal(d.name, 'ovc-capture');
    assert.equal(d.actualKiB, 262144);
    assert.equal(d.maximumKiB, 262144);
    assert.equal(d.rssKiB, 277456);
    assert.equal(d.lastUpdate, 1795791528);
    assert.deepEqual(d.fields, {
      actual: 262144,
      maximum: 262144,
      swap_in: 0,
      swap_out: 0,
      major_fault: 0,
      minor_fault: 600,
      unused: 173236,
      available: 210872,
      usable: 176568,
      last_update: 1795791528,
      disk_caches: 12100,
      hugetlb_pgalloc: 0,
      hugetlb_pgfail: 0,
      rss: 277456,
    });
  });

  test('as guest statistics: bytes (KiB x 1024) and counts, named like the QMP ones', () => {
    const [d] = parseDomstatsBalloon(virshFixture('domstats-balloon-running.txt'));
    assert.ok(d);
    assert.deepEqual(balloonGuestStats(d), {
      lastUpdate: 1795791528,
      stats: {
        swapIn: 0,
        swapOut: 0,
        majorFaults: 0,
        minorFaults: 600,
        freeMemory: 173236 * 1024,
        totalMemory: 210872 * 1024,
        availableMemory: 176568 * 1024,
        diskCaches: 12100 * 1024,
        hugetlbAllocations: 0,
        hugetlbFailures: 0,
      },
    });
  });

  test('a guest that has not reported: current, maximum, last-update 0 and rss; no statistics', () => {
    const [d] = parseDomstatsBalloon(virshFixture('domstats-balloon-booting.txt'));
    assert.ok(d);
    assert.deepEqual(d, {
      name: 'ovc-capture',
      actualKiB: 262144,
      maximumKiB: 262144,
      rssKiB: 221720,
      lastUpdate: 0,
      fields: d.fields,
    });
    assert.equal(balloonGuestStats(d), undefined);
  });

  test('after setmem: current is the new size, maximum the ceiling', () => {
    const [d] = parseDomstatsBalloon(virshFixture('domstats-balloon-ballooned.txt'));
    assert.equal(d?.actualKiB, 131072);
    assert.equal(d?.maximumKiB, 262144);
  });

  test('no domain running: a blank line, no domains', () => {
    assert.deepEqual(parseDomstatsBalloon(virshFixture('domstats-balloon-none.txt')), []);
  });

  test('several domains, names with spaces and quotes; other groups, junk lines and fields are ignored', () => {
    const text =
      "Domain: 'web 1'\n  state.state=1\n  balloon.current=1024\n  balloon.maximum=2048\n\n" +
      "Domain: 'it's'\n  balloon.current=512\n  balloon.unused=x\nnot a field\n\n";
    const ds = parseDomstatsBalloon(text);
    assert.deepEqual(
      ds.map((d) => [d.name, d.actualKiB, d.maximumKiB, d.fields]),
      [
        ['web 1', 1024, 2048, { actual: 1024, maximum: 2048 }],
        ["it's", 512, undefined, { actual: 512 }],
      ],
    );
  });

  test('an older libvirt without some fields: those statistics are undefined', () => {
    const [d] = parseDomstatsBalloon(
      "Domain: 'x'\n  balloon.current=1024\n  balloon.unused=512\n  balloon.last-update=7\n",
    );
    assert.ok(d);
    const s = balloonGuestStats(d);
    assert.equal(s?.stats.freeMemory, 512 * 1024);
    assert.equal(s?.stats.availableMemory, undefined);
  });
});

describe('virsh errors', () => {
  test('a missing or stopped domain is told apart from other failures', () => {
    const noDomain = virshFixture('domstats-no-domain.stderr.txt');
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
