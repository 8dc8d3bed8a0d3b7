// Joins a hijacked client connection to a process's stdio: the client's bytes become stdin, the
// process's output goes back raw or in stdcopy frames, and the connection ends when the output does.
// A client that goes away, or types the detach keys, only detaches: the process keeps running.
import type { Duplex } from 'node:stream';
import type { OutputChunk, ProcessStdio } from '@shoal/agent';
import { DetachDetector } from './detach-keys.js';
import { stdcopyFrame } from './stdcopy.js';

export interface BridgeOptions {
  /** Relay the client's input to the process. */
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** The client's end of input closes the process's stdin (StdinOnce, exec). */
  readonly closeStdinOnEnd: boolean;
  /**
   * Output in stdcopy frames (stream id and length before each chunk), else raw. dockerd frames an
   * attach unless the container has a terminal, and an exec unless its *start* request says Tty.
   */
  readonly framed: boolean;
  /** The input that ends the attach (dockerd watches for it on a terminal only); none: not watched. */
  readonly detachKeys?: readonly number[] | undefined;
}

export async function bridgeStdio(conn: Duplex, stdio: ProcessStdio, options: BridgeOptions, signal: AbortSignal): Promise<void> {
  const detach = (): void => stdio.close();
  signal.addEventListener('abort', detach, { once: true });
  conn.on('error', detach);
  conn.on('close', detach);
  if (options.stdin) {
    const detector = options.detachKeys === undefined ? undefined : new DetachDetector(options.detachKeys);
    conn.on('data', (chunk: Buffer) => {
      if (detector === undefined) return stdio.writeStdin(chunk);
      const input = detector.push(chunk);
      if (input.length > 0) stdio.writeStdin(input);
      if (detector.detached) detach();
    });
    conn.once('end', () => {
      if (options.closeStdinOnEnd && detector?.detached !== true) stdio.endStdin();
    });
  } else {
    // Input is not wanted, but it must be read for the client's half-close to arrive.
    conn.on('data', () => undefined);
  }
  conn.resume();
  try {
    await relayOutput(conn, stdio.output(), options, signal);
  } finally {
    signal.removeEventListener('abort', detach);
    stdio.close();
    if (conn.writable) await new Promise<void>((resolve) => conn.end(() => resolve()));
  }
}

/** Writes the chosen streams of `output` to the client, framed or raw, as fast as it reads them. */
export async function relayOutput(conn: Duplex, output: AsyncIterable<OutputChunk>, options: Pick<BridgeOptions, 'stdout' | 'stderr' | 'framed'>, signal: AbortSignal): Promise<void> {
  for await (const chunk of output) {
    if (chunk.stream === 'stdout' ? !options.stdout : !options.stderr) continue;
    if (!conn.writable) break;
    const bytes = options.framed ? stdcopyFrame(chunk.stream, chunk.data) : chunk.data;
    if (!conn.write(bytes)) await waitDrain(conn, signal);
  }
}

function waitDrain(conn: Duplex, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      conn.off('drain', done);
      conn.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    conn.once('drain', done);
    conn.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
