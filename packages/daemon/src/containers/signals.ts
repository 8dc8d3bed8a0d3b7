// Signals as `POST /containers/{id}/kill?signal=` names them, read as dockerd 20.10 reads them: a
// number, or a Linux signal name with or without "SIG", in any case (moby pkg/signal's ParseSignal).
import { constants } from 'node:os';
import { InvalidArgumentError } from '../api/errors.js';

export const SIGKILL = 9;
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** Linux signal names without "SIG", as moby's SignalMap has them (RTMIN+n and RTMAX-n included). */
const BY_NAME: ReadonlyMap<string, number> = new Map([
  ...Object.entries(constants.signals).map(([name, n]) => [name.replace(/^SIG/, ''), n] as const),
  ['CLD', 17],
  ['RTMIN', SIGRTMIN],
  ['RTMAX', SIGRTMAX],
  ...Array.from({ length: 15 }, (_, i) => [`RTMIN+${i + 1}`, SIGRTMIN + i + 1] as const),
  ...Array.from({ length: 14 }, (_, i) => [`RTMAX-${i + 1}`, SIGRTMAX - i - 1] as const),
]);

/** The signal's number; a 400 "Invalid signal: X" for 0 and for names Linux does not have. */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0) throw invalid(raw);
    return n;
  }
  const n = BY_NAME.get(raw.toUpperCase().replace(/^SIG/, ''));
  if (n === undefined) throw invalid(raw);
  return n;
}

/** Whether Linux has a signal of that number (dockerd's ValidSignalForPlatform: 32 and 33 belong to libc). */
export function linuxHasSignal(n: number): boolean {
  return [...BY_NAME.values()].includes(n);
}

function invalid(raw: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid signal: ${raw}`);
}
