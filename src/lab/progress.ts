/** Progress of a lab run: one updating line on a terminal, plain lines otherwise. */
export interface ProgressEvent {
  strategy: string;
  index: number;
  total: number;
  phase: string;
  /** Estimated seconds left in the whole run. */
  etaS?: number;
}

export type Progress = (e: ProgressEvent) => void;

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY;
  let last = '';
  return (e) => {
    const eta = e.etaS !== undefined ? `, ~${Math.max(0, Math.round((e.etaS / 60) * 10) / 10)} min left` : '';
    const line = `[${e.index}/${e.total}] ${e.strategy}: ${e.phase}${eta}`;
    if (line === last) return;
    last = line;
    if (tty) stream.write(`\r\x1b[2K${line}`);
    else stream.write(`${line}\n`);
  };
}
