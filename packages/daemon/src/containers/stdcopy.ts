// Docker's stdcopy framing for a non-TTY container's output: an 8-byte header (stream id, three zero
// bytes, big-endian payload length) before each chunk. 1 = stdout, 2 = stderr.

export type StdStream = 'stdin' | 'stdout' | 'stderr';

const STREAM_ID: Record<StdStream, number> = { stdin: 0, stdout: 1, stderr: 2 };

export function stdcopyFrame(stream: StdStream, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = STREAM_ID[stream];
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits framed bytes back into (stream, payload) pairs; a trailing partial frame is returned as `rest`. */
export function parseStdcopy(data: Buffer): { frames: { stream: StdStream; payload: Buffer }[]; rest: Buffer } {
  const frames: { stream: StdStream; payload: Buffer }[] = [];
  let at = 0;
  while (data.length - at >= 8) {
    const size = data.readUInt32BE(at + 4);
    if (data.length - at - 8 < size) break;
    const id = data[at]!;
    const stream: StdStream = id === 0 ? 'stdin' : id === 1 ? 'stdout' : 'stderr';
    frames.push({ stream, payload: data.subarray(at + 8, at + 8 + size) });
    at += 8 + size;
  }
  return { frames, rest: data.subarray(at) };
}
