// Serving the Engine API on a unix socket (shoald) or TCP (tests), with an idempotent close() that
// ends streams, waits for in-flight requests and removes the socket file.
import { lstat, mkdir, chmod, unlink } from 'node:fs/promises';
import { STATUS_CODES, createServer, maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname } from 'node:path';

export interface ServeOptions {
  /** Longest time to receive a whole request (headers and body). Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** How long close() lets in-flight requests finish before cutting connections. Default 5 s. */
  readonly closeGraceMs?: number;
}

export interface UnixListenOptions extends ServeOptions {
  readonly kind: 'unix';
  readonly path: string;
  /** Socket file mode. Default 0o600 (root only); a parent directory we create gets 0o700. */
  readonly mode?: number;
}

export interface TcpListenOptions extends ServeOptions {
  readonly kind: 'tcp';
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export type ListenOptions = UnixListenOptions | TcpListenOptions;

export interface ApiServer {
  /** "unix:///run/shoal/shoal.sock" or "tcp://127.0.0.1:41234", usable as DOCKER_HOST. */
  readonly address: string;
  /** Stops accepting, aborts streams, waits for requests (bounded), removes the socket. Idempotent. */
  close(): Promise<void>;
}

export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse, shutdown?: AbortSignal): Promise<void>;
  /** Requests with `Connection: Upgrade`; without it they are refused by closing the connection. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, shutdown?: AbortSignal): Promise<void>;
}

export class SocketInUseError extends Error {
  readonly code = 'socket-in-use';
  constructor(path: string) {
    super(`another daemon is already listening on ${path}`);
    this.name = 'SocketInUseError';
  }
}

export async function listenEngineApi(handler: RequestHandler, options: ListenOptions): Promise<ApiServer> {
  const shutdown = new AbortController();
  const inflight = new Set<Promise<void>>();
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const serverOptions = {
    requestTimeout,
    headersTimeout: requestTimeout,
    // Node checks these timeouts on an interval (30 s by default): keep it well below the timeout.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4))),
  };
  const server = createServer(serverOptions, (req, res) => {
    const done = handler.handle(req, res, shutdown.signal);
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  // Upgraded (hijacked) connections are no longer the HTTP server's: close() cuts them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (handler.upgrade === undefined) {
      socket.destroy();
      return;
    }
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const done = handler.upgrade(req, socket, head, shutdown.signal).catch(() => void socket.destroy());
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, requestTimeout));

  let address: string;
  if (options.kind === 'unix') {
    await prepareSocketPath(options.path);
    await listen(server, (cb) => server.listen(options.path, cb));
    await chmod(options.path, options.mode ?? 0o600);
    address = `unix://${options.path}`;
  } else {
    const host = options.host ?? '127.0.0.1';
    await listen(server, (cb) => server.listen(options.port, host, cb));
    const bound = server.address();
    address = `tcp://${host}:${typeof bound === 'object' && bound !== null ? bound.port : options.port}`;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      shutdown.abort();
      server.closeIdleConnections();
      await settleWithin([...inflight], options.closeGraceMs ?? 5_000);
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await closed;
      if (options.kind === 'unix') await unlink(options.path).catch(() => {});
    })();
    return closing;
  };
  return { address, close };
}

/**
 * Node's HTTP parser refused a request (malformed, headers too large) or it did not arrive in time:
 * answer in the API's JSON error format, as for any other refused request, then close. Without this,
 * Node answers with a bare status line and no body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, requestTimeoutMs: number): void {
  if (err.code === 'ECONNRESET' || !socket.writable || (socket as Socket).bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, message] = clientErrorReply(err, requestTimeoutMs);
  const body = JSON.stringify({ message }) + '\n';
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
  // A client that never reads must not keep the connection: give the answer a moment, then cut.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

function clientErrorReply(err: NodeJS.ErrnoException, requestTimeoutMs: number): [number, string] {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, `request header fields are larger than the limit of ${maxHeaderSize} bytes`];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, `the request was not received completely within ${requestTimeoutMs} ms`];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'chunk extensions are larger than the limit'];
    default: {
      const reason = (err as { reason?: unknown }).reason;
      return [400, `malformed HTTP request: ${typeof reason === 'string' ? reason : err.message}`];
    }
  }
}

function listen(server: Server, start: (cb: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Creates the parent directory (0700) and removes a stale socket left by a daemon that died. */
async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketAnswers(path)) throw new SocketInUseError(path);
  await unlink(path);
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const timer = setTimeout(() => finish(true), 1_000);
    const finish = (answered: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(answered);
    };
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

async function settleWithin(promises: Promise<void>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
