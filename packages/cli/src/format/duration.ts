// Go's time.Duration text form ("5s", "1m30s", "2160h0m0s", "500ms"), which docker's
// duration flags accept and print, and go-units' HumanDuration ("3 months").

export class DurationParseError extends Error {
  readonly code = 'DURATION_INVALID';
  constructor(readonly input: string) {
    super(`time: invalid duration "${input}"`);
    this.name = 'DurationParseError';
  }
}

const NANOS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go duration string into nanoseconds. */
export function parseDurationNs(input: string): number {
  let rest = input;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new DurationParseError(input);
  let total = 0;
  const part = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const match = part.exec(rest);
    const digits = match?.[1];
    const unit = match?.[2];
    if (!match || digits === undefined || unit === undefined || digits === '' || digits === '.') {
      throw new DurationParseError(input);
    }
    total += Number(digits) * (NANOS_PER_UNIT[unit] as number);
    rest = rest.slice(match[0].length);
  }
  return sign * Math.round(total);
}

function fraction(value: number, unitNs: number): string {
  const whole = Math.floor(value / unitNs);
  const remainder = value - whole * unitNs;
  if (remainder === 0) return String(whole);
  const digits = String(unitNs).length - 1;
  const frac = String(remainder).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}

/** Formats nanoseconds like Go's time.Duration.String(). */
export function formatDurationNs(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ns));
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${fraction(abs, 1e3)}µs`;
  if (abs < 1e9) return `${sign}${fraction(abs, 1e6)}ms`;
  const hours = Math.floor(abs / 3600e9);
  const minutes = Math.floor((abs - hours * 3600e9) / 60e9);
  const seconds = fraction(abs - hours * 3600e9 - minutes * 60e9, 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** go-units HumanDuration: "Less than a second", "5 seconds", "About an hour", "3 months". */
export function humanDuration(ns: number): string {
  const seconds = Math.trunc(ns / 1e9);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ns / 60e9);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ns / 3600e9);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ns / 3600e9) / 24 / 365)} years`;
}
