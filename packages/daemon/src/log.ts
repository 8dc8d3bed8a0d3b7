// A small leveled logger writing logfmt lines (time=… level=… msg="…" key=value) to stderr.

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. component=api). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Lines below this level are dropped. Default "info". */
  level?: LogLevel;
  /** Where lines go. Default: process.stderr. */
  write?: (line: string) => void;
  /** Clock for the time field. Default: Date.now. */
  now?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = logLevels.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (logLevels.indexOf(level) < min) return;
      const parts = [`time=${new Date(now()).toISOString()}`, `level=${level}`, `msg=${quote(msg)}`];
      for (const [k, v] of Object.entries({ ...base, ...fields })) {
        if (v !== undefined) parts.push(`${k}=${formatValue(v)}`);
      }
      write(parts.join(' ') + '\n');
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

/** Drops everything; for tests and libraries used without a daemon. */
export const silentLogger: Logger = createLogger({ write: () => {} });

function formatValue(v: string | number | boolean | null): string {
  if (typeof v === 'string') return /^[A-Za-z0-9_./:@+-]+$/.test(v) ? v : quote(v);
  return String(v);
}

function quote(s: string): string {
  return JSON.stringify(s);
}
