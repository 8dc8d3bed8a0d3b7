// A host's daemon: started inside the host's namespace, detached, with a pidfile and a log file; stopped
// by signal with a bounded wait; reached through its unix socket, which the root namespace sees too.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError } from './errors.js';
import type { HostLayout } from './layout.js';
import { execIn, pidAlive, pidInNetns, spawnDetachedIn } from './netns.js';
import { run, type RunOptions, type RunResult } from './run.js';

export interface Host extends HostLayout {
  /** Full argv of this host's daemon, per-host flags included. */
  readonly daemonArgv: readonly string[];
}

export function daemonArgv(command: readonly string[], host: HostLayout): string[] {
  return [
    ...command,
    '--data-root', host.dataRoot,
    '--exec-root', host.execRoot,
    '-H', `unix://${host.socket}`,
    '--hostname', host.name,
  ];
}

/** The daemon's pid if it is running in the host's namespace (a stale or reused pid reads as not running). */
export function daemonPid(host: HostLayout): number | undefined {
  const pid = pidFromFile(host);
  return pid !== undefined && pidInNetns(pid, host.netns) ? pid : undefined;
}

function pidFromFile(host: HostLayout): number | undefined {
  if (!existsSync(host.pidFile)) return undefined;
  const pid = Number(readFileSync(host.pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Starts the daemon and returns its pid once it runs inside the host's namespace (or has already died). */
export async function startDaemon(host: Host): Promise<number> {
  const running = daemonPid(host);
  if (running !== undefined) throw new ClusterError('DAEMON_RUNNING', `${host.name}: daemon already running (pid ${running})`);
  mkdirSync(dirname(host.socket), { recursive: true, mode: 0o700 });
  mkdirSync(host.execRoot, { recursive: true, mode: 0o700 });
  mkdirSync(host.dataRoot, { recursive: true, mode: 0o700 });
  appendFileSync(host.logFile, `--- ${new Date().toISOString()} starting: ${host.daemonArgv.join(' ')}\n`);
  const pid = spawnDetachedIn(host.netns, host.daemonArgv, host.logFile);
  writeFileSync(host.pidFile, `${pid}\n`);
  // Until nsenter has entered the namespace the pid still lives in ours, and would read as "not running".
  const deadline = Date.now() + 2_000;
  while (pidAlive(pid) && !pidInNetns(pid, host.netns) && Date.now() < deadline) await sleep(5);
  return pid;
}

export interface StopOptions {
  /** Default SIGTERM. */
  readonly signal?: NodeJS.Signals;
  /** How long the daemon gets to exit. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** Signals the daemon and waits until it has exited. */
export async function stopDaemon(host: HostLayout, options: StopOptions = {}): Promise<void> {
  const pid = daemonPid(host);
  if (pid === undefined) throw new ClusterError('DAEMON_NOT_RUNNING', `${host.name}: daemon is not running`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  process.kill(pid, options.signal ?? 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      throw new ClusterError('TIMEOUT', `${host.name}: daemon (pid ${pid}) still running ${timeoutMs} ms after ${options.signal ?? 'SIGTERM'}`);
    }
    await sleep(20);
  }
  rmSync(host.pidFile, { force: true });
}

/** A crash: SIGKILL, no chance to clean up. */
export function kill9(host: HostLayout): Promise<void> {
  return stopDaemon(host, { signal: 'SIGKILL', timeoutMs: 5_000 });
}

/** Stops the daemon (if running), starts it again with the same roots, and waits for its socket. */
export async function restartDaemon(host: Host, options: StopOptions & { socketTimeoutMs?: number } = {}): Promise<void> {
  if (daemonPid(host) !== undefined) await stopDaemon(host, options);
  await startDaemon(host);
  await waitForSocket(host, { timeoutMs: options.socketTimeoutMs });
}

/** Waits until the daemon accepts connections on its socket; fails fast, with its log, if it exits. */
export async function waitForSocket(host: HostLayout, options: { timeoutMs?: number | undefined } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(host.socket)) return;
    const pid = pidFromFile(host);
    if (pid === undefined || !pidAlive(pid)) {
      throw new ClusterError('DAEMON_EXITED', `${host.name}: daemon exited before serving ${host.socket}; log tail:\n${logTail(host, 20)}`);
    }
    if (Date.now() > deadline) {
      throw new ClusterError('TIMEOUT', `${host.name}: no socket at ${host.socket} after ${timeoutMs} ms; log tail:\n${logTail(host, 20)}`);
    }
    await sleep(50);
  }
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(socket);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}

export function logTail(host: HostLayout, lines: number): string {
  if (!existsSync(host.logFile)) return '(no log)';
  return readFileSync(host.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

/** Runs the real docker CLI against the host's daemon. Resolves with the exit code; never throws on one. */
export function docker(host: HostLayout, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(['docker', ...args], {
    timeoutMs: options.timeoutMs ?? 30_000,
    input: options.input,
    env: { ...process.env, ...options.env, DOCKER_HOST: `unix://${host.socket}` },
  });
}

/** Runs a command inside the host's network namespace (e.g. ping, ip, nft). */
export function execOnHost(host: HostLayout, argv: readonly string[], options?: RunOptions): Promise<RunResult> {
  return execIn(host.netns, argv, options);
}
