// The kinds of ProcessStdio: a container's, reached through its shim's attach socket or its log, and an
// exec's, whose process is our child.
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameDecoder, FrameKind, encodeFrame, encodeResize } from './stdio-frames.js';
import { resizeTerminal } from './tty.js';
import type { LogLine, OutputChunk, ProcessStdio, TtySize } from './types.js';

/** Connects to a shim's attach socket, retrying while the shim is still creating it (bounded). */
export async function connectShim(path: string, tty: boolean, timeoutMs: number): Promise<ProcessStdio> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return new ShimStdio(await connectOnce(path), tty);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() >= deadline) throw err;
      await sleep(5);
    }
  }
}

/** Sends one frame on a connection of its own (a resize without an attached client). */
export async function sendToShim(path: string, frame: Buffer, timeoutMs: number): Promise<void> {
  const stdio = (await connectShim(path, false, timeoutMs)) as ShimStdio;
  await new Promise<void>((resolve) => stdio.socket.end(frame, () => resolve()));
  stdio.close();
}

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => socket.destroy());
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

class ShimStdio implements ProcessStdio {
  constructor(
    readonly socket: Socket,
    readonly tty: boolean,
  ) {}

  async *output(): AsyncIterable<OutputChunk> {
    const decoder = new FrameDecoder();
    try {
      for await (const chunk of this.socket as AsyncIterable<Buffer>) {
        for (const frame of decoder.push(chunk)) {
          if (frame.kind === FrameKind.stdout) yield { stream: 'stdout', data: frame.payload };
          else if (frame.kind === FrameKind.stderr) yield { stream: 'stderr', data: frame.payload };
        }
      }
    } catch {
      // A reset connection ends the output like a closed one.
    }
  }

  writeStdin(data: Uint8Array): void {
    if (data.length > 0) this.#send(encodeFrame(FrameKind.stdin, data));
  }

  endStdin(): void {
    this.#send(encodeFrame(FrameKind.closeStdin));
  }

  resize(size: TtySize): void {
    this.#send(encodeResize(size.rows, size.cols));
  }

  close(): void {
    this.socket.destroy();
  }

  #send(frame: Buffer): void {
    if (this.socket.writable) this.socket.write(frame);
  }
}

/**
 * The stdio of an exec: our child (runc exec, or `script` running it). The output ends only after
 * `onExit` has recorded the exit, so a client that asks for the exit code once the stream ends gets it.
 */
export class ChildStdio implements ProcessStdio {
  readonly #child: ChildProcess;
  readonly #queue: (OutputChunk | null)[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(child: ChildProcess, readonly tty: boolean, onExit: (code: number | null, signal: NodeJS.Signals | null) => void) {
    this.#child = child;
    child.stdin?.on('error', () => undefined);
    for (const stream of ['stdout', 'stderr'] as const) child[stream]?.on('data', (data: Buffer) => this.#push({ stream, data }));
    // 'close' comes after the exit and after both pipes closed: all output is in.
    child.once('close', (code, signal) => {
      onExit(code, signal);
      this.#push(null);
    });
  }

  async *output(): AsyncIterable<OutputChunk> {
    for (;;) {
      const next = this.#queue.shift();
      if (next === null) return;
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  writeStdin(data: Uint8Array): void {
    const stdin = this.#child.stdin;
    if (stdin !== null && stdin.writable) stdin.write(data);
  }

  endStdin(): void {
    this.#child.stdin?.end();
  }

  resize(size: TtySize): void {
    if (this.tty && this.#child.pid !== undefined) void resizeTerminal(this.#child.pid, size).catch(() => undefined);
  }

  /** The process keeps running; its output is drained and dropped so it never blocks on a full pipe. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queue.push(null);
    this.#wake?.();
  }

  #push(chunk: OutputChunk | null): void {
    if (this.#closed) return;
    this.#queue.push(chunk);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Attach to a container without stdin or terminal: its output as its monitor logs it, from the moment asked. */
export function logStdio(follow: (signal: AbortSignal) => AsyncIterable<LogLine>): ProcessStdio {
  const stop = new AbortController();
  return {
    tty: false,
    async *output() {
      for await (const line of follow(stop.signal)) yield { stream: line.stream, data: line.data };
    },
    writeStdin: () => undefined,
    endStdin: () => undefined,
    resize: () => undefined,
    close: () => stop.abort(),
  };
}
