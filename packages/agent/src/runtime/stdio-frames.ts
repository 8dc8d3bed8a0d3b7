// The wire between the daemon and a container's shim on the attach socket: frames with an 8-byte header
// (kind, three zero bytes, big-endian payload length), the layout of Docker's stdcopy so output frames
// pass through unchanged. Shim → daemon: stdout (1), stderr (2). Daemon → shim: stdin bytes (0), a
// terminal resize (3: rows and cols as big-endian uint16), closing the process's stdin (4).

export const FrameKind = { stdin: 0, stdout: 1, stderr: 2, resize: 3, closeStdin: 4 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Frame {
  readonly kind: FrameKind;
  readonly payload: Buffer;
}

const HEADER_BYTES = 8;
/** Larger frames mean a corrupt stream, not a big write: writers chunk their data. */
const FRAME_PAYLOAD_MAX_BYTES = 1 << 24;

export function encodeFrame(kind: FrameKind, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function encodeResize(rows: number, cols: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(clampU16(rows), 0);
  payload.writeUInt16BE(clampU16(cols), 2);
  return encodeFrame(FrameKind.resize, payload);
}

export function decodeResize(payload: Buffer): { rows: number; cols: number } | undefined {
  if (payload.length !== 4) return undefined;
  return { rows: payload.readUInt16BE(0), cols: payload.readUInt16BE(2) };
}

export class FrameError extends Error {
  readonly code = 'bad-frame';
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Turns a byte stream into frames, whatever the chunk boundaries. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (this.#pending.length - at >= HEADER_BYTES) {
      const kind = this.#pending[at]!;
      const size = this.#pending.readUInt32BE(at + 4);
      if (kind > FrameKind.closeStdin || size > FRAME_PAYLOAD_MAX_BYTES) throw new FrameError(`bad frame header: kind ${kind}, ${size} bytes`);
      if (this.#pending.length - at - HEADER_BYTES < size) break;
      frames.push({ kind: kind as FrameKind, payload: Buffer.from(this.#pending.subarray(at + HEADER_BYTES, at + HEADER_BYTES + size)) });
      at += HEADER_BYTES + size;
    }
    this.#pending = this.#pending.subarray(at);
    return frames;
  }

  /** Bytes of an unfinished frame. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

function clampU16(n: number): number {
  return Math.max(0, Math.min(0xffff, Math.trunc(n)));
}
