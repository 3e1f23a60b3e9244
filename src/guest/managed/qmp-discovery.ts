/**
 * Pure helpers for guests found on QMP sockets: their name, their memory size and where their balloon device is,
 * read from QEMU's replies (shapes as QEMU 7.2 sends them).
 */
import { basename, dirname } from 'node:path';
import { QmpProtocolError } from '../qmp/errors.js';
import { isJsonObject } from '../qmp/messages.js';

/** query-name -> `{"name": "vm1"}`, or `{}` for a QEMU started without -name. */
export function parseQueryName(value: unknown): string | undefined {
  if (!isJsonObject(value)) throw new QmpProtocolError('query-name: expected an object', { value });
  return typeof value.name === 'string' && value.name.trim() !== '' ? value.name : undefined;
}

/** query-memory-size-summary -> `{"base-memory": N, "plugged-memory": M}` (plugged only with hotplug memory). */
export function parseMemorySizeSummary(value: unknown): number {
  if (!isJsonObject(value) || typeof value['base-memory'] !== 'number' || value['base-memory'] <= 0) {
    throw new QmpProtocolError('query-memory-size-summary: no positive base-memory', { value });
  }
  const plugged = value['plugged-memory'];
  return value['base-memory'] + (typeof plugged === 'number' && plugged > 0 ? plugged : 0);
}

/**
 * qom-list of a container (/machine/peripheral, /machine/peripheral-anon) -> the QOM path of the first balloon device
 * in it (`{"name": "balloon0", "type": "child<virtio-balloon-pci>"}`), or undefined.
 */
export function pickBalloonPath(container: string, items: unknown): string | undefined {
  if (!Array.isArray(items)) return undefined;
  for (const item of items) {
    if (!isJsonObject(item) || typeof item.name !== 'string' || typeof item.type !== 'string') continue;
    if (/^child<virtio-balloon[-a-z]*>$/.test(item.type)) return `${container}/${item.name}`;
  }
  return undefined;
}

/** File names that say nothing about the guest: the folder they are in names it instead. */
const GENERIC = new Set(['qmp', 'monitor', 'qmp-monitor', 'socket', 'sock', 'control']);

/**
 * A name for a guest that does not tell its own (no -name, or not reachable): the socket's file name without its
 * extension (`/run/vms/web1.qmp` -> web1), or its folder's name when the file name is generic
 * (`/var/lib/overcommit/guests/a1/qmp.sock` -> a1; libvirt's `.../domain-3-web1/monitor.sock` -> web1).
 */
export function guestNameFromSocket(socketPath: string): string {
  const file = basename(socketPath);
  const stem = file.replace(/\.(sock|socket|qmp|monitor)$/, '');
  if (stem !== '' && !GENERIC.has(stem)) return stem;
  const dir = basename(dirname(socketPath));
  const domain = /^domain-\d+-(.+)$/.exec(dir);
  if (domain?.[1]) return domain[1];
  return dir !== '' && dir !== '/' ? dir : file;
}
