// The Engine API edge: one request listener that routes, checks the API version, parses filters and
// bodies, runs the handler and turns whatever it throws into Docker's error response.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../log.js';
import { readJsonBody, bodyBytesMaxDefault, type BodySource } from './body.js';
import { NotFoundError, toErrorResponse } from './errors.js';
import { inspectFallbackRoutes } from './fallback-routes.js';
import { Filters } from './filters.js';
import { readUpgradeBody, runOverResponse, runUpgraded } from './hijack.js';
import { Query } from './query.js';
import { encodeJson, writeResult, writeStream, type ApiResult } from './respond.js';
import { Router, type HttpMethod, type RequestContext, type RouteTable } from './routes.js';
import { listenEngineApi, type ApiServer, type ListenOptions } from './server.js';
import type { SystemInfoProvider } from './system-info.js';
import { systemRoutes } from './system-routes.js';
import { apiVersionMax, requestApiVersion, splitVersionedPath } from './version.js';

export interface EngineApiOptions {
  readonly system: SystemInfoProvider;
  /** Route tables of other modules (swarm, nodes, services, …). */
  readonly routes?: readonly RouteTable[];
  /** Default: silent. */
  readonly log?: Logger;
  /** Largest accepted request body. Default 1 MiB. */
  readonly bodyBytesMax?: number;
}

export interface EngineApi {
  /** Serves one request; resolves when the response is complete. `shutdown` aborts ctx.signal. */
  handle(req: IncomingMessage, res: ServerResponse, shutdown?: AbortSignal): Promise<void>;
  /** Serves a request that asked to upgrade the connection (Docker's hijack); `head` is what followed its headers. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, shutdown?: AbortSignal): Promise<void>;
  listen(options: ListenOptions): Promise<ApiServer>;
}

const knownMethods = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);

export function createEngineApi(options: EngineApiOptions): EngineApi {
  const log = options.log ?? silentLogger;
  const bodyBytesMax = options.bodyBytesMax ?? bodyBytesMaxDefault;
  const router = new Router();
  router.add(systemRoutes(options.system));
  for (const table of options.routes ?? []) router.add(table);
  router.add(inspectFallbackRoutes.filter((r) => !router.has(r.method, r.path)));
  const serverHeader = `shoal/${options.system.host.engineVersion} (linux)`;

  const serve = async (req: IncomingMessage, res: ServerResponse, upgrade: Upgrade | undefined, shutdown: AbortSignal | undefined): Promise<void> => {
    const started = performance.now();
    res.setHeader('Api-Version', apiVersionMax);
    res.setHeader('Docker-Experimental', 'false');
    res.setHeader('Ostype', 'linux');
    res.setHeader('Server', serverHeader);
    const abort = new AbortController();
    const onClose = (): void => abort.abort(new Error('client disconnected'));
    const onShutdown = (): void => abort.abort(new Error('server shutting down'));
    res.on('close', onClose);
    shutdown?.addEventListener('abort', onShutdown, { once: true });
    try {
      await dispatch(router, bodyBytesMax, req, res, upgrade, abort.signal);
    } catch (err) {
      // A handler that refuses before reading the body (a bad header, query or change) would otherwise
      // close the connection under a client still sending it, which then reports "broken pipe", not the error.
      if (upgrade === undefined) await drainUnread(req, DRAIN_BYTES_MAX, DRAIN_MS_MAX);
      writeError(req, res, err, log);
    } finally {
      shutdown?.removeEventListener('abort', onShutdown);
      res.off('close', onClose);
      log.debug('request', {
        method: req.method,
        url: req.url,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      });
    }
  };

  const api: EngineApi = {
    handle: (req, res, shutdown) => serve(req, res, undefined, shutdown),
    async upgrade(req, socket, head, shutdown) {
      // A response bound to the raw socket, so every answer but the hijack itself is written as usual.
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => socket.end());
      socket.once('error', () => socket.destroy());
      await serve(req, res, { socket, head }, shutdown);
    },
    listen: (listenOptions) => listenEngineApi(api, listenOptions),
  };

  return api;
}

interface Upgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** Routes one request, checks its version, builds the handler's context and writes the result. */
async function dispatch(
  router: Router,
  bodyBytesMax: number,
  req: IncomingMessage,
  res: ServerResponse,
  upgrade: Upgrade | undefined,
  signal: AbortSignal,
): Promise<void> {
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const { version, path } = splitVersionedPath(q < 0 ? rawUrl : rawUrl.slice(0, q));
  const match = knownMethods.has(method) ? router.match(method, path) : { kind: 'not-found' as const };
  if (match.kind === 'not-found') throw new NotFoundError('page not found');
  const apiVersion = requestApiVersion(version);
  const params = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  // Before an upgraded stream the body must be taken off the socket whatever the route does with it.
  let body: BodySource = req;
  if (upgrade !== undefined) {
    const bytes = await readUpgradeBody(req, upgrade.socket, upgrade.head, bodyBytesMax);
    body = { headers: req.headers, [Symbol.asyncIterator]: async function* () { if (bytes.length > 0) yield bytes; } };
  }
  const ctx: RequestContext<string> = {
    method: method as HttpMethod,
    path,
    apiVersion,
    params: match.params,
    query: new Query(params),
    filters: match.route.filters ? Filters.parse(params.get('filters'), match.route.filters) : Filters.empty(),
    headers: req.headers,
    signal,
    json: () => readJsonBody(body, bodyBytesMax),
    body: () => body,
  };
  const result: ApiResult = await match.route.handler(ctx);
  if (result.kind === 'hijack') {
    if (upgrade !== undefined) await runUpgraded(res, upgrade.socket, result, signal);
    else await runOverResponse(req, res, result, signal);
  } else if (result.kind === 'stream') await writeStream(res, result, signal);
  else writeResult(res, result, method === 'HEAD');
}

/** How much of an unread body (an image upload, say) is read and dropped, and for how long, before an error is sent anyway (with Connection: close). */
const DRAIN_BYTES_MAX = 64 * 1024 * 1024;
const DRAIN_MS_MAX = 5_000;

/** Reads and drops what is left of a request body, up to `bytesMax` and `msMax`. */
function drainUnread(req: IncomingMessage, bytesMax: number, msMax: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let total = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > bytesMax) done();
    };
    const timer = setTimeout(done, msMax);
    req.on('data', onData).once('end', done).once('error', done).once('close', done);
    req.resume();
  });
}

function writeError(req: IncomingMessage, res: ServerResponse, err: unknown, log: Logger): void {
  const { status, message, unexpected } = toErrorResponse(err);
  if (unexpected) {
    log.error('request failed', { method: req.method, url: req.url, err: (err as Error)?.stack ?? String(err) });
  }
  if (res.headersSent) {
    // A stream already promised success; cutting the connection is the only honest signal left.
    res.destroy();
    return;
  }
  const body = Buffer.from(encodeJson({ message }), 'utf8');
  // The body may not have been read (e.g. refused before reading): don't leave the socket half-used.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
