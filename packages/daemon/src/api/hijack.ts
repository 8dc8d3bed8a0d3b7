// Docker's hijacked connections (attach, exec start). The docker CLI sends `Connection: Upgrade,
// Upgrade: tcp`; Node hands such requests to the server's 'upgrade' event with the raw socket, where
// the request body (exec start's JSON) is not parsed: it is read here, exactly Content-Length bytes,
// and whatever follows stays in the socket as the client's stdin. The answer is a raw `101 UPGRADED`
// head, then the socket belongs to the route. Without an upgrade (plain HTTP clients) the same route
// streams its output as the response body and reads the request body as input.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { PayloadTooLargeError, InvalidArgumentError } from './errors.js';
import type { HijackResult } from './respond.js';

/** Reads the body that precedes the upgraded stream, leaving the bytes after it in `socket`. */
export async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer, limitBytes: number): Promise<Buffer> {
  if (req.headers['transfer-encoding'] !== undefined) throw new InvalidArgumentError('a chunked body cannot precede an upgraded connection');
  const length = Number(req.headers['content-length'] ?? '0');
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError('invalid Content-Length');
  if (length > limitBytes) throw new PayloadTooLargeError(`request body is larger than the limit of ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let have = 0;
  let pending: Buffer | null = head.length > 0 ? head : null;
  while (have < length) {
    if (pending === null) pending = await readChunk(socket);
    if (pending === null) throw new InvalidArgumentError('the request body ended early');
    const take = pending.subarray(0, length - have);
    chunks.push(take);
    have += take.length;
    pending = pending.length > take.length ? pending.subarray(take.length) : null;
  }
  if (pending !== null && pending.length > 0) socket.unshift(pending);
  return Buffer.concat(chunks, have);
}

function readChunk(socket: Duplex): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const attempt = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) return done(chunk);
      if (socket.readableEnded || socket.destroyed) return done(null);
    };
    const done = (chunk: Buffer | null): void => {
      socket.off('readable', attempt);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      resolve(chunk);
    };
    const onEnd = (): void => done(null);
    socket.on('readable', attempt);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    attempt();
  });
}

/** Answers an upgrade request with `101 UPGRADED` (plus the response's headers so far) and runs the route. */
export async function runUpgraded(res: ServerResponse, socket: Duplex, result: HijackResult, signal: AbortSignal): Promise<void> {
  const headers: string[] = [`Content-Type: ${result.contentType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value !== undefined) headers.push(`${canonical(name)}: ${String(value)}`);
  }
  res.statusCode = 101;
  res.detachSocket(socket as import('node:net').Socket);
  socket.write(`HTTP/1.1 101 UPGRADED\r\n${headers.join('\r\n')}\r\n\r\n`);
  const abort = new AbortController();
  const onAbort = (): void => abort.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => abort.abort(new Error('client disconnected')));
  try {
    await result.run(socket, abort.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!socket.destroyed) socket.end();
  }
}

/** A hijack route asked without an upgrade: output as a streamed 200 body, input from the request body. */
export async function runOverResponse(req: IncomingMessage, res: ServerResponse, result: HijackResult, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'Content-Type': result.contentType });
  res.flushHeaders();
  const conn = Duplex.from({ readable: req, writable: res });
  try {
    await result.run(conn, signal);
  } finally {
    if (!res.writableEnded) res.end();
  }
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
