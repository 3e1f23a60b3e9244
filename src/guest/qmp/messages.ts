/**
 * The shapes of QMP messages and the pure classification of one parsed line into greeting, return, error or
 * event. Nothing here throws: anything unexpected becomes { kind: 'malformed', reason }.
 */

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

/** `{"QMP": {"version": {...}, "capabilities": [...]}}`, sent by QEMU as soon as a client connects. */
export interface QmpGreeting {
  version: QmpVersion;
  capabilities: string[];
}

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

/** `{"event": "BALLOON_CHANGE", "data": {"actual": N}, "timestamp": {...}}`; data is {} when QEMU sends none. */
export interface QmpEvent<D = Record<string, unknown>> {
  event: string;
  data: D;
  timestamp: QmpTimestamp;
}

export type QmpMessage =
  | { kind: 'greeting'; greeting: QmpGreeting }
  /** id is whatever the command carried; undefined when the reply has none. */
  | { kind: 'return'; id: unknown; value: unknown }
  | { kind: 'error'; id: unknown; errorClass: string; desc: string }
  | { kind: 'event'; event: QmpEvent }
  | { kind: 'malformed'; reason: string };

type Json = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function malformed(reason: string): QmpMessage {
  return { kind: 'malformed', reason };
}

/** Parses one line of QMP output. Blank lines are the caller's to skip. */
export function parseMessage(line: string): QmpMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return malformed(`not JSON (${(e as Error).message})`);
  }
  return classifyMessage(value);
}

export function classifyMessage(value: unknown): QmpMessage {
  if (!isJsonObject(value))
    return malformed(
      `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  if ('QMP' in value) return classifyGreeting(value.QMP);
  if ('event' in value) return classifyEvent(value);
  if ('return' in value) return { kind: 'return', id: value.id, value: value.return };
  if ('error' in value) {
    const err = value.error;
    if (!isJsonObject(err) || typeof err.class !== 'string' || typeof err.desc !== 'string') {
      return malformed('error reply without a string class and desc');
    }
    return { kind: 'error', id: value.id, errorClass: err.class, desc: err.desc };
  }
  const keys = Object.keys(value);
  return malformed(`not a QMP message (keys: ${keys.length ? keys.slice(0, 5).join(', ') : 'none'})`);
}

function classifyGreeting(qmp: unknown): QmpMessage {
  if (!isJsonObject(qmp)) return malformed('greeting: QMP is not an object');
  const caps = qmp.capabilities;
  if (!Array.isArray(caps) || !caps.every((c): c is string => typeof c === 'string')) {
    return malformed('greeting: capabilities is not a list of strings');
  }
  const version = isJsonObject(qmp.version) ? qmp.version : {};
  const qemu = isJsonObject(version.qemu) ? version.qemu : {};
  return {
    kind: 'greeting',
    greeting: {
      version: {
        qemu: { major: num(qemu.major), minor: num(qemu.minor), micro: num(qemu.micro) },
        package: typeof version.package === 'string' ? version.package : '',
      },
      capabilities: [...caps],
    },
  };
}

function classifyEvent(value: Json): QmpMessage {
  if (typeof value.event !== 'string' || value.event === '') return malformed('event: name is not a string');
  const data = value.data ?? {};
  if (!isJsonObject(data)) return malformed(`event ${value.event}: data is not an object`);
  const ts = isJsonObject(value.timestamp) ? value.timestamp : {};
  return {
    kind: 'event',
    event: {
      event: value.event,
      data,
      timestamp: { seconds: num(ts.seconds), microseconds: num(ts.microseconds) },
    },
  };
}

/** One command as a wire line: `{"execute": ..., "arguments": ..., "id": N}\n` ("arguments" only when given). */
export function encodeCommand(command: string, args: Record<string, unknown> | undefined, id: number): string {
  const msg: Json = { execute: command };
  if (args !== undefined) msg.arguments = args;
  msg.id = id;
  return `${JSON.stringify(msg)}\n`;
}
