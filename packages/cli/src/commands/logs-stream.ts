// Docker's stdcopy demultiplexing on the client side: frames of an 8-byte header (stream id, three
// zero bytes, big-endian length) and a payload. Stream 3 is the daemon's own error, which ends the copy
// with docker's "error from daemon in stream" failure.
import type { IncomingMessage } from 'node:http';
import { UsageError } from '../api/errors.js';

export type FrameStream = 'stdout' | 'stderr';

/** Splits a byte stream into frames across chunk boundaries. */
export class StdcopyDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: FrameStream | 'system'; payload: Buffer }[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: { stream: FrameStream | 'system'; payload: Buffer }[] = [];
    let at = 0;
    while (this.#buffer.length - at >= 8) {
      const size = this.#buffer.readUInt32BE(at + 4);
      if (this.#buffer.length - at - 8 < size) break;
      const id = this.#buffer[at];
      frames.push({ stream: id === 3 ? 'system' : id === 2 ? 'stderr' : 'stdout', payload: this.#buffer.subarray(at + 8, at + 8 + size) });
      at += 8 + size;
    }
    this.#buffer = this.#buffer.subarray(at);
    return frames;
  }
}

/** Copies a multiplexed body to the two writers, one frame at a time, awaiting each write. */
export async function copyFrames(
  body: IncomingMessage,
  write: (stream: FrameStream, payload: Buffer) => Promise<void> | void,
): Promise<void> {
  const decoder = new StdcopyDecoder();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    for (const frame of decoder.push(chunk)) {
      if (frame.stream === 'system') throw new UsageError(`error from daemon in stream: ${frame.payload.toString('utf8')}`);
      await write(frame.stream, frame.payload);
    }
  }
}

/** Copies a raw (TTY) body to stdout as it comes. */
export async function copyRaw(body: IncomingMessage, write: (payload: Buffer) => void): Promise<void> {
  for await (const chunk of body as AsyncIterable<Buffer>) write(chunk);
}
