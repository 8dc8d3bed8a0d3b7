// The per-container supervisor, run as its own detached process (`node shim.js <shim.json>`), so that
// containers outlive a daemon restart. It runs `runc run` in the foreground — runc stays the container's
// parent and reports its exit status (128+n for a signal) — turns the container's stdout/stderr pipes
// into Docker's json-file log lines (a daemon reading pipes directly would break them on restart), and
// records the exit in exit.json, which the daemon waits for. It holds no other state.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { LineSplitter, jsonLogLine } from './json-log.js';

export interface ShimConfig {
  readonly runc: readonly string[];
  readonly bundle: string;
  readonly id: string;
  readonly logPath: string;
  readonly pidPath: string;
  readonly exitPath: string;
}

export interface ExitRecord {
  readonly exitCode: number;
  readonly finishedAt: string;
  /** runc's own complaint when the container never started, else ''. */
  readonly error: string;
}

const ERROR_TAIL_BYTES = 4 * 1024;

function main(configPath: string): void {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ShimConfig;
  const child = spawn(config.runc[0]!, [...config.runc.slice(1), 'run', '--bundle', config.bundle, '--pid-file', config.pidPath, '--no-new-keyring', config.id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errorTail = '';
  const pipe = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream): void => {
    const splitter = new LineSplitter();
    source.setEncoding('utf8');
    const write = (lines: string[]): void => {
      const time = new Date().toISOString();
      if (lines.length > 0) appendFileSync(config.logPath, lines.map((l) => jsonLogLine(stream, l, time)).join(''));
    };
    source.on('data', (chunk: string) => {
      if (stream === 'stderr') errorTail = (errorTail + chunk).slice(-ERROR_TAIL_BYTES);
      write(splitter.push(chunk));
    });
    source.on('end', () => write(splitter.flush()));
  };
  pipe('stdout', child.stdout);
  pipe('stderr', child.stderr);
  // The daemon's signals go to runc through `runc kill`; a stray SIGTERM/SIGHUP must not orphan the log.
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, () => {});
  child.once('error', (err) => finish(config, 255, `cannot run runc: ${err.message}`));
  child.once('close', (code, signal) => {
    const started = existsSync(config.pidPath);
    const exitCode = code ?? 128 + (signal === null ? 9 : signalNumber(signal));
    finish(config, exitCode, started ? '' : runcMessage(errorTail));
  });
}

function finish(config: ShimConfig, exitCode: number, error: string): void {
  const record: ExitRecord = { exitCode, finishedAt: new Date().toISOString(), error };
  writeFileSync(`${config.exitPath}.tmp`, JSON.stringify(record));
  renameSync(`${config.exitPath}.tmp`, config.exitPath);
  process.exit(0);
}

/** runc logs as logrus text (`level=error msg="…"`) or plain text; keep the message. */
function runcMessage(text: string): string {
  const msgs = [...text.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  return (msgs.at(-1) ?? text).trim() || 'runc failed to start the container';
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 9;
}

const configArg = process.argv[2];
if (configArg === undefined) {
  process.stderr.write('usage: shim.js <shim.json>\n');
  process.exit(2);
}
main(configArg);
