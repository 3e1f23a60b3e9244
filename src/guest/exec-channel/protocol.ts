/**
 * The host side of the guest control channel (see image/init-script.ts for the guest side). Pure: request encoding,
 * argv quoting and response parsing.
 */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Quotes one argument for busybox sh: wrapped in single quotes, each ' written as '\''. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function encodeRequest(token: string, script: string): string {
  return `${token} ${Buffer.from(script, 'utf8').toString('base64')}\n`;
}

export class ControlProtocolError extends Error {}

/** Parses a whole response: `OVC1 EXIT OUTLEN ERRLEN\n` + stdout + stderr. Returns undefined while incomplete. */
export function parseResponse(buf: Buffer): ExecResult | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0) {
    if (buf.length > 200) throw new ControlProtocolError(`no header in ${buf.length} bytes`);
    return undefined;
  }
  const m = /^OVC1 (\d+) (\d+) (\d+)$/.exec(buf.toString('utf8', 0, nl));
  if (!m) throw new ControlProtocolError(`bad header '${buf.toString('utf8', 0, Math.min(nl, 80))}'`);
  const outLen = Number(m[2]);
  const errLen = Number(m[3]);
  const body = buf.subarray(nl + 1);
  if (body.length < outLen + errLen) return undefined;
  return {
    exitCode: Number(m[1]),
    stdout: body.subarray(0, outLen).toString('utf8'),
    stderr: body.subarray(outLen, outLen + errLen).toString('utf8'),
  };
}
