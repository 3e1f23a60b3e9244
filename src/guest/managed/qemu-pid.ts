/**
 * Finds the QEMU process that serves a QMP socket, for guests the agent did not start (Node has no SO_PEERCRED): the
 * process whose command line names the socket path, as in `-qmp unix:PATH,server=on` or
 * `-chardev socket,id=mon,path=PATH,server=on`. A QEMU given the socket as a file descriptor (libvirt) is not found
 * this way. The matching is pure; findQemuPids reads /proc.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename } from 'node:path';

/** /proc/PID/cmdline (NUL-separated, NUL-terminated) -> argv. */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function isQemuCommand(argv: readonly string[]): boolean {
  const exe = argv[0];
  return exe !== undefined && basename(exe).startsWith('qemu-system-');
}

/** Whether one argument names socketPath as a whole option value (`unix:PATH`, `path=PATH`, or PATH alone). */
export function argumentNamesSocket(arg: string, socketPath: string): boolean {
  let from = 0;
  for (;;) {
    const at = arg.indexOf(socketPath, from);
    if (at === -1) return false;
    const before = at === 0 ? '' : arg[at - 1];
    const after = arg[at + socketPath.length] ?? '';
    if ((before === '' || before === ':' || before === '=' || before === ',') && (after === '' || after === ','))
      return true;
    from = at + 1;
  }
}

/** Whether argv is a QEMU whose arguments name socketPath. */
export function qemuServesSocket(argv: readonly string[], socketPath: string): boolean {
  return isQemuCommand(argv) && argv.slice(1).some((a) => argumentNamesSocket(a, socketPath));
}

/**
 * For each socket path, the pid of the one QEMU process whose command line names it. A path that no process (or
 * more than one) names is left out. Reads every /proc/PID/cmdline once.
 */
export async function findQemuPids(socketPaths: readonly string[], proc = '/proc'): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (socketPaths.length === 0) return found;
  const ambiguous = new Set<string>();
  let pids: string[];
  try {
    pids = (await readdir(proc)).filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let raw: string;
    try {
      raw = await readFile(`${proc}/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    const argv = parseCmdline(raw);
    if (!isQemuCommand(argv)) continue;
    for (const path of socketPaths) {
      if (!qemuServesSocket(argv, path)) continue;
      if (found.has(path)) ambiguous.add(path);
      found.set(path, Number(pid));
    }
  }
  for (const path of ambiguous) found.delete(path);
  return found;
}
