import { connect } from 'node:net';
import { OvercommitError } from '../../errors.js';
import { run } from '../../util/exec.js';
import type { NetworkResult } from './results.js';
import { LatencyHistogram } from './memcached/histogram.js';

/**
 * Network inside the guest: iperf3 throughput both directions (iperf3 on the host as client, the guest's iperf3
 * server behind its hostfwd port; -R for guest -> host), and a request/response test — what netperf TCP_RR
 * measures (netperf is not in Debian main): one connection, one small request, wait for the answer, repeat; here the
 * request is memcached's `version`, so it also crosses the guest's scheduler like a real service call.
 */
export class Iperf3Error extends OvercommitError {
  constructor(message: string) {
    super(
      'COMMAND_FAILED',
      `iperf3: ${message}`,
      'is the guest started with --services iperf3, and iperf3 installed on the host?',
    );
  }
}

/** iperf3 -J output -> received bits per second (what the receiving side measured). Pure. */
export function parseIperf3(json: string): number {
  let d: { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
  try {
    d = JSON.parse(json) as typeof d;
  } catch {
    throw new Iperf3Error('output is not JSON');
  }
  if (d.error) throw new Iperf3Error(d.error);
  const bps = d.end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Iperf3Error('no end.sum_received.bits_per_second in the output');
  return bps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One iperf3 run; retried once after a second when the server is still busy with the previous test. */
export async function iperf3(port: number, seconds: number, reverse: boolean): Promise<number> {
  const args = ['-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J', ...(reverse ? ['-R'] : [])];
  for (let attempt = 0; ; attempt++) {
    const r = await run('iperf3', args, { allowFailure: true, timeoutMs: (seconds + 30) * 1000 });
    try {
      return parseIperf3(r.stdout);
    } catch (e) {
      if (attempt >= 2) throw e;
      await sleep(1000);
    }
  }
}

/** Request/response round trips on one connection for `seconds`: rate and latency. */
export function requestResponse(
  port: number,
  seconds: number,
): Promise<{ perSec: number; latency: ReturnType<LatencyHistogram['summary']> }> {
  return new Promise((resolve, reject) => {
    const h = new LatencyHistogram();
    const sock = connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    let sentAt = 0;
    let buf = '';
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const send = () => {
      sentAt = performance.now();
      sock.write('version\r\n');
    };
    sock.on('connect', send);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.endsWith('\r\n')) return;
      buf = '';
      const now = performance.now();
      h.record((now - sentAt) * 1000);
      if (now < end) send();
      else {
        sock.end();
        resolve({ perSec: h.count / ((now - t0) / 1000), latency: h.summary() });
      }
    });
    sock.on('error', (e) => reject(new Iperf3Error(`request/response: ${e.message}`)));
    setTimeout(
      () => {
        sock.destroy();
        reject(new Iperf3Error('request/response: no answer'));
      },
      (seconds + 20) * 1000,
    ).unref();
  });
}

/** The network phase against one guest: host -> guest, guest -> host, then request/response. */
export async function networkPhase(
  ports: { iperf3: number; memcached: number },
  seconds: number,
): Promise<NetworkResult> {
  const hostToGuest = await iperf3(ports.iperf3, seconds, false);
  await sleep(500);
  const guestToHost = await iperf3(ports.iperf3, seconds, true);
  const rr = await requestResponse(ports.memcached, seconds);
  return {
    hostToGuestBitsPerSec: hostToGuest,
    guestToHostBitsPerSec: guestToHost,
    rrPerSec: rr.perSec,
    rrLatency: rr.latency,
  };
}
