// Signalling a container's init process without runc: what `runc kill` checks before it signals (that
// the PID still belongs to the process that was started, by its start time), done from here.
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat); undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  if (pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A signal as `docker kill` gives it (SIGTERM, TERM, 15) to its number; undefined when Node does not know it. */
export function signalNumber(signal: string): number | undefined {
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase().replace(/^(SIG)?/, 'SIG');
  return (osConstants.signals as Record<string, number | undefined>)[name];
}
