// Docker's hijacked endpoints (attach, exec start) driven as the SDKs drive them, on a daemon's unix
// socket: the request with `Connection: Upgrade, Upgrade: tcp`, then raw bytes both ways; plus the
// stdcopy demultiplexing a client applies to what comes back. Every wait is bounded.
import { connect, type Socket } from 'node:net';
import { StdcopyDecoder } from '@shoal/cli';

const WAIT_MS = 15_000;

export class HijackedStream {
  readonly #socket: Socket;
  #data = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#wake?.();
    });
    socket.on('end', () => this.#finish());
    socket.on('close', () => this.#finish());
    socket.on('error', () => this.#finish());
  }

  /** Sends the request (API 1.41) and waits for the response head; `body` is JSON, as exec start's. */
  static async open(socketPath: string, path: string, body?: unknown): Promise<{ stream: HijackedStream; head: string }> {
    const socket = connect({ path: socketPath, allowHalfOpen: true });
    const stream = new HijackedStream(socket);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const head = [`POST /v1.41${path} HTTP/1.1`, 'Host: api.moby.localhost', 'Connection: Upgrade', 'Upgrade: tcp'];
    head.push(...(payload === '' ? ['Content-Type: text/plain', 'Content-Length: 0'] : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`]));
    socket.write(`${head.join('\r\n')}\r\n\r\n${payload}`);
    const data = await stream.#until((d) => d.includes('\r\n\r\n'), `the response to ${path}`);
    return { stream, head: data.subarray(0, data.indexOf('\r\n\r\n')).toString('latin1') };
  }

  /** The stream's bytes so far (after the response head). */
  get output(): Buffer {
    const at = this.#data.indexOf('\r\n\r\n');
    return at < 0 ? Buffer.alloc(0) : this.#data.subarray(at + 4);
  }

  get ended(): boolean {
    return this.#ended;
  }

  write(bytes: string | Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Waits until the stream's bytes satisfy `done`. */
  async until(done: (output: Buffer) => boolean, what: string): Promise<Buffer> {
    await this.#until(() => done(this.output), what);
    return this.output;
  }

  /** Waits until the daemon ends the stream; returns all of it. */
  async untilEnd(what: string): Promise<Buffer> {
    await this.#until(() => this.#ended, what);
    return this.output;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  async #until(done: (data: Buffer) => boolean, what: string): Promise<Buffer> {
    const deadline = Date.now() + WAIT_MS;
    while (!done(this.#data)) {
      if (this.#ended && !done(this.#data)) throw new Error(`${what}: the connection ended; got ${JSON.stringify(this.#data.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error(`${what}: nothing within ${WAIT_MS} ms; got ${JSON.stringify(this.#data.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.#data;
  }

  #finish(): void {
    this.#ended = true;
    this.#wake?.();
  }
}

/** The frames of a multiplexed stream as [stream, text]; throws when any bytes are not part of a whole frame. */
export function stdcopyFrames(bytes: Buffer): [string, string][] {
  const frames = new StdcopyDecoder().push(bytes);
  const framed = frames.reduce((sum, f) => sum + 8 + f.payload.length, 0);
  if (framed !== bytes.length) throw new Error(`not a whole stdcopy stream: ${JSON.stringify(bytes.toString('latin1'))}`);
  return frames.map((f) => [f.stream, f.payload.toString('utf8')]);
}
