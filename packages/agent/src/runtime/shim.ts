// The supervisor of an interactive container (a terminal or an open stdin; conmon supervises the
// others, see conmon.ts: its attach socket is SOCK_SEQPACKET, which Node cannot open), run as its own
// detached process (`node shim.js <shim.json>`), so that containers outlive a daemon restart. It runs
// `runc run` in the foreground — runc stays the container's parent and reports its exit status (128+n
// for a signal) — turns the container's stdout/stderr pipes into Docker's json-file log lines (a daemon
// reading pipes directly would break them on restart), keeps the container's stdio reachable on its
// attach socket (shim-attach.ts), and records the exit code in the exit file, as conmon does
// (exit-status.ts). With a terminal, runc runs under `script` (tty.ts), and the output is the
// terminal's, all logged as stdout as Docker does.
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter, jsonLogLine } from './json-log.js';
import { AttachServer } from './shim-attach.js';
import { createNetns, mountOverlay, type OverlayMount } from './host-mounts.js';
import { recordStartFailure, writeExitFile } from './exit-status.js';
import { FrameKind } from './stdio-frames.js';
import { resizeTerminal, underTerminal } from './tty.js';
import type { TtySize } from './types.js';

export interface ShimConfig {
  readonly runc: readonly string[];
  readonly bundle: string;
  readonly id: string;
  readonly logPath: string;
  readonly pidPath: string;
  readonly exitFile: string;
  /** runc's JSON log, where a start failure is recorded (by runc, or here for the shim's own). */
  readonly runcLog: string;
  /** The unix socket the daemon attaches on. */
  readonly attachSocket?: string;
  /** The container's process has a terminal (config.json process.terminal is true). */
  readonly tty: boolean;
  readonly consoleSize?: TtySize | undefined;
  /** The container gets a stdin pipe (Docker's OpenStdin); else /dev/null, or a silent terminal. */
  readonly openStdin: boolean;
  /** Clients that attached before the start: runc waits (bounded) until they are connected. */
  readonly awaitAttachers?: number;
  /**
   * The container's root filesystem mount, unmounted here once runc is done, before the exit is
   * recorded: at a `service rm` of hundreds of containers the daemon would otherwise start all those
   * umounts itself, one after the other.
   */
  readonly rootfsMount?: string;
  /**
   * Mounts made here before runc runs (not by the daemon, which would start them one after the other
   * for hundreds of containers): the root filesystem overlay and, when the container has a network
   * namespace of its own, that namespace pinned on its file.
   */
  readonly prepare?: { readonly overlay: OverlayMount; readonly netnsFile?: string };
}

const AWAIT_ATTACHERS_MS = 5_000;
const CLIENT_DRAIN_MS = 2_000;
/** Bound on each mount, unshare or umount the shim runs. */
const UMOUNT_MS = 30_000;

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ShimConfig;
  // The daemon signals the container's process, not this one; a stray SIGTERM/SIGHUP must not orphan the log.
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, () => {});
  // A daemon started before an upgrade of this file gives no socket: run as it expects, unattachable.
  const attach = config.attachSocket === undefined ? undefined : await AttachServer.listen(config.attachSocket);
  await attach?.awaitClients(config.awaitAttachers ?? 0, AWAIT_ATTACHERS_MS);
  if (config.prepare !== undefined) {
    try {
      await mountOverlay(config.prepare.overlay, run);
      if (config.prepare.netnsFile !== undefined) await createNetns(config.prepare.netnsFile, run);
    } catch (err) {
      return finish(config, attach, { failed: `cannot prepare the container: ${(err as Error).message}` });
    }
  }
  const runc = [...config.runc, '--log', config.runcLog, '--log-format', 'json', 'run', '--bundle', config.bundle, '--pid-file', config.pidPath, '--no-new-keyring', config.id];
  const argv = config.tty ? underTerminal(runc, config.consoleSize) : runc;
  // A terminal always gets a pipe as input: /dev/null would read as end of input and end the shell.
  const stdinPipe = config.tty || config.openStdin;
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => undefined);
  attach?.connect({
    stdin: config.openStdin && child.stdin !== null ? child.stdin : undefined,
    resize: (size) => {
      if (config.tty && child.pid !== undefined) void resizeTerminal(child.pid, size).catch(() => undefined);
    },
  });
  const pipe = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream): Promise<void> => {
    const splitter = new LineSplitter();
    const utf8 = new StringDecoder('utf8');
    const write = (lines: string[]): void => {
      const time = new Date().toISOString();
      if (lines.length > 0) appendFileSync(config.logPath, lines.map((l) => jsonLogLine(stream, l, time)).join(''));
    };
    source.on('data', (chunk: Buffer) => {
      write(splitter.push(utf8.write(chunk)));
      attach?.broadcast(stream === 'stdout' ? FrameKind.stdout : FrameKind.stderr, chunk);
    });
    return new Promise((resolve) => source.on('end', () => {
      write([...splitter.push(utf8.end()), ...splitter.flush()]);
      resolve();
    }));
  };
  const drained = Promise.all([pipe('stdout', child.stdout!), pipe('stderr', child.stderr!)]);
  child.once('error', (err) => void finish(config, attach, { failed: `cannot run runc: ${err.message}` }));
  child.once('close', (code, signal) => {
    // No pid file: runc never started the container, and its log says why.
    const exit = existsSync(config.pidPath) ? { exitCode: code ?? 128 + (signal === null ? 9 : signalNumber(signal)) } : { failed: undefined };
    void drained.then(() => finish(config, attach, exit));
  });
}

/** The container exited with `exitCode`, or never started (`failed`: the shim's own reason, if runc did not log one). */
type Outcome = { readonly exitCode: number } | { readonly failed: string | undefined };

async function finish(config: ShimConfig, attach: AttachServer | undefined, outcome: Outcome): Promise<void> {
  await attach?.close(CLIENT_DRAIN_MS);
  // Lazily: a process still inside cannot make it fail. A failure leaves it to the daemon, which checks.
  if (config.rootfsMount !== undefined) await new Promise((resolve) => execFile('umount', ['-l', config.rootfsMount!], { timeout: UMOUNT_MS }, resolve));
  if ('exitCode' in outcome) await writeExitFile(config.exitFile, outcome.exitCode);
  else if (outcome.failed !== undefined) await recordStartFailure(config.runcLog, outcome.failed);
  process.exit(0);
}

function run(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: UMOUNT_MS }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(`${argv.join(' ')}: ${stderr.trim() || err.message}`));
    });
  });
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
main(configArg).catch((err: unknown) => {
  // The daemon learns about a start that failed here from exit.json, as about any other.
  const config = JSON.parse(readFileSync(configArg, 'utf8')) as ShimConfig;
  void finish(config, undefined, { failed: `shim: ${(err as Error).message}` });
});
