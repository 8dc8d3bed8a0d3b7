// An HTTP/1.1 client over the daemon's unix socket that sends exactly the bytes it is given, so a fuzz
// case can be malformed at any level (request line, headers, framing, body), and that reads whatever
// comes back, including nothing.
import { connect, type Socket } from 'node:net';

export interface RawReply {
  readonly kind: 'reply';
  readonly status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly ms: number;
}

/** The connection ended (or failed) before a complete status line and headers arrived. */
export interface RawNoReply {
  readonly kind: 'closed' | 'timeout' | 'error';
  readonly detail: string;
  readonly ms: number;
}

export type RawOutcome = RawReply | RawNoReply;

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** Serialises a request with Host, Connection: close and (when there is a body) Content-Length. */
export function encodeRequest(req: RawRequest): Buffer {
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = { Host: 'docker', Connection: 'close', ...req.headers };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding');
  if (body !== undefined && !hasLength) headers['Content-Length'] = String(body.length);
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Sends `bytes` on a fresh connection and reads one response; never throws. */
export function sendRaw(socketPath: string, bytes: Buffer, timeoutMs: number): Promise<RawOutcome> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', detail: `no complete reply within ${timeoutMs} ms`, ms: ms() }), timeoutMs);
    socket.on('connect', () => socket.write(bytes, () => undefined));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const reply = parseReply(Buffer.concat(chunks), false, ms());
      if (reply !== undefined) finish(reply);
    });
    socket.on('end', () => finish(parseReply(Buffer.concat(chunks), true, ms()) ?? { kind: 'closed', detail: closedDetail(chunks), ms: ms() }));
    socket.on('close', () => finish(parseReply(Buffer.concat(chunks), true, ms()) ?? { kind: 'closed', detail: closedDetail(chunks), ms: ms() }));
    // EPIPE/ECONNRESET after the server answered and hung up mid-upload still leaves its answer to read.
    socket.on('error', (err) => {
      const reply = parseReply(Buffer.concat(chunks), true, ms());
      finish(reply ?? { kind: 'error', detail: err.message, ms: ms() });
    });
  });
}

function closedDetail(chunks: Buffer[]): string {
  const got = Buffer.concat(chunks);
  return got.length === 0 ? 'closed without a byte' : `closed after ${got.length} bytes: ${JSON.stringify(got.subarray(0, 120).toString('latin1'))}`;
}

/** A complete reply, or undefined while more bytes are needed (`ended`: the peer closed). */
export function parseReply(buf: Buffer, ended: boolean, ms: number): RawReply | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (m === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = buf.subarray(headEnd + 4);
  const status = Number(m[1]);
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    if (rest.length < n) return ended ? { kind: 'reply', status, headers, body: rest, ms } : undefined;
    return { kind: 'reply', status, headers, body: rest.subarray(0, n), ms };
  }
  if (status === 204 || status === 304) return { kind: 'reply', status, headers, body: Buffer.alloc(0), ms };
  if (headers['transfer-encoding']?.includes('chunked')) {
    const body = dechunk(rest);
    return body !== undefined ? { kind: 'reply', status, headers, body, ms } : ended ? { kind: 'reply', status, headers, body: rest, ms } : undefined;
  }
  return ended ? { kind: 'reply', status, headers, body: rest, ms } : undefined;
}

function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Opens a connection and resolves once connected (for slow and silent clients). */
export function openSocket(socketPath: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`could not connect to ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
