// The shim's side of attach: a unix socket per container on which the daemon connects to the
// container's stdio. Output goes to every connected client as frames; clients' stdin frames go to the
// container's stdin (when it has one), resize frames to its terminal. Lives in the shim, so the
// container's stdio stays reachable across daemon restarts.
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder, FrameKind, decodeResize, encodeFrame } from './stdio-frames.js';
import type { TtySize } from './types.js';

export interface AttachTarget {
  /** The container's stdin, or undefined when it has none (OpenStdin false). */
  readonly stdin: NodeJS.WritableStream | undefined;
  resize(size: TtySize): void;
}

export class AttachServer {
  readonly #server: Server;
  readonly #path: string;
  readonly #clients = new Set<Socket>();
  #target: AttachTarget | undefined;
  #waiters: { count: number; resolve: () => void }[] = [];

  private constructor(path: string) {
    this.#path = path;
    // Half-open: a client that ends its side still gets the rest of the output.
    this.#server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  static async listen(path: string): Promise<AttachServer> {
    rmSync(path, { force: true });
    const attach = new AttachServer(path);
    await new Promise<void>((resolve, reject) => {
      attach.#server.once('error', reject);
      attach.#server.listen(path, () => resolve());
    });
    return attach;
  }

  /** Resolves once `count` clients have connected, or after `timeoutMs` (whichever comes first). */
  awaitClients(count: number, timeoutMs: number): Promise<void> {
    if (this.#clients.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** From now on clients' input goes to `target` (input sent earlier waits in the sockets). */
  connect(target: AttachTarget): void {
    this.#target = target;
    for (const client of this.#clients) this.#listen(client);
  }

  broadcast(kind: typeof FrameKind.stdout | typeof FrameKind.stderr, data: Buffer): void {
    if (this.#clients.size === 0) return;
    const frame = encodeFrame(kind, data);
    for (const client of this.#clients) if (client.writable) client.write(frame);
  }

  /** Ends every client after its pending output, stops listening and removes the socket file. */
  async close(timeoutMs: number): Promise<void> {
    this.#server.close();
    rmSync(this.#path, { force: true });
    const closed = [...this.#clients].map((c) => new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.end();
    }));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const c of this.#clients) c.destroy();
  }

  #accept(socket: Socket): void {
    this.#clients.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#clients.delete(socket));
    // The client finished sending: nothing more to read, but it still gets output until it closes.
    socket.on('end', () => undefined);
    if (this.#target !== undefined) this.#listen(socket);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#clients.size < w.count) return true;
      w.resolve();
      return false;
    });
  }

  #listen(socket: Socket): void {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) this.#apply(frame.kind, frame.payload);
    });
    socket.resume();
  }

  #apply(kind: FrameKind, payload: Buffer): void {
    const target = this.#target!;
    if (kind === FrameKind.stdin) target.stdin?.write(payload);
    else if (kind === FrameKind.closeStdin) target.stdin?.end();
    else if (kind === FrameKind.resize) {
      const size = decodeResize(payload);
      if (size !== undefined) target.resize(size);
    }
  }
}
