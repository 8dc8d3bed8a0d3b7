// `docker logs --since/--until`: the window of log lines a client asked for. The CLI turns "10m" or an
// RFC 3339 time into dockerd's query format, "<seconds>[.<nanoseconds>]" since the epoch; both ends
// are inclusive, as dockerd's log readers skip lines before since and stop after until.
import { InvalidArgumentError } from '../api/errors.js';
import type { Query } from '../api/query.js';

export interface LogWindow {
  /** Nanoseconds since the epoch; undefined = unbounded. */
  readonly sinceNs?: bigint;
  readonly untilNs?: bigint;
}

export function logWindow(query: Query): LogWindow {
  const since = timestampNs(query.string('since'), 'since');
  const until = timestampNs(query.string('until'), 'until');
  return { ...(since !== undefined ? { sinceNs: since } : {}), ...(until !== undefined ? { untilNs: until } : {}) };
}

/** dockerd's timetypes.ParseTimestamps: "" or "0" is no bound. */
function timestampNs(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`invalid value for ${name}: ${value}: expected a Unix timestamp (seconds[.nanoseconds])`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** A log line's RFC 3339 time (with "Z" or an offset, up to nanoseconds) in nanoseconds since the epoch. */
export function lineTimeNs(time: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) throw new Error(`log line with an unreadable time: ${time}`);
  return BigInt(Date.parse(`${m[1]}${m[3]}`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function beforeWindow(window: LogWindow, timeNs: bigint): boolean {
  return window.sinceNs !== undefined && timeNs < window.sinceNs;
}

export function afterWindow(window: LogWindow, timeNs: bigint): boolean {
  return window.untilNs !== undefined && timeNs > window.untilNs;
}
