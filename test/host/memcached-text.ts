import { connect } from 'node:net';

/** Sends raw memcached text-protocol bytes and collects the reply until `until` matches. Test helper. */
export function memcachedTalk(port: number, request: string, until: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let buf = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`memcached: no ${String(until)} within ${timeoutMs} ms; got ${JSON.stringify(buf)}`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (until.test(buf)) {
        clearTimeout(t);
        s.end();
        resolve(buf);
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}
