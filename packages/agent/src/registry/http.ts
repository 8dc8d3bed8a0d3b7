// The registry client's HTTP: one request, its response body as a stream, redirects followed (a
// registry may send blobs to its storage backend), and failures worded as Go's net/http words them,
// because dockerd's pull errors quote them and users search for those words.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';

/** TLS settings for one registry: CAs and client certificate from certs.d, or no verification (insecure). */
export interface TlsSettings {
  readonly ca?: readonly Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

export interface HttpResponse {
  readonly status: number;
  /** "Unauthorized": the reason phrase, which dockerd's login errors quote. */
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly body: Readable;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | Readable;
  readonly tls: TlsSettings;
  /** Idle time after which the request fails. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
}

/** A transport failure (no HTTP answer), with Go's wording: `Get "https://…/v2/": dial tcp …: connect: connection refused`. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly tlsMismatch: boolean,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

const MAX_REDIRECTS = 5;

export async function send(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const res = await once({ ...req, url });
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined || hop >= MAX_REDIRECTS) return res;
    res.body.resume();
    url = new URL(location, url).toString();
  }
}

function once(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  const secure = url.protocol === 'https:';
  const make = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = make(
      url,
      {
        method: req.method,
        headers: { 'User-Agent': 'shoal', ...req.headers },
        ...(secure
          ? {
              ca: req.tls.ca && req.tls.ca.length > 0 ? [...req.tls.ca] : undefined,
              cert: req.tls.cert,
              key: req.tls.key,
              rejectUnauthorized: req.tls.rejectUnauthorized,
              // SNI carries host names only (RFC 6066); an address is verified against the certificate's IP SANs.
              ...(isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
            }
          : {}),
        timeout: req.idleTimeoutMs ?? 30_000,
      },
      (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, url: req.url, body: res }),
    );
    r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    r.on('error', (err: NodeJS.ErrnoException) => reject(transportError(req.method, url, err)));
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else req.body.pipe(r);
  });
}

function transportError(method: string, url: URL, err: NodeJS.ErrnoException): HttpTransportError {
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const dial = `dial tcp ${url.hostname}:${port}`;
  const tlsMismatch = err.code === 'EPROTO' || /wrong version number|packet length too long/i.test(err.message);
  const detail =
    err.code === 'ECONNREFUSED' ? `${dial}: connect: connection refused`
    : err.code === 'EHOSTUNREACH' ? `${dial}: connect: no route to host`
    : err.code === 'ENETUNREACH' ? `${dial}: connect: network is unreachable`
    : err.code === 'ENOTFOUND' ? `dial tcp: lookup ${url.hostname}: no such host`
    : err.code === 'EAI_AGAIN' ? `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`
    : err.code === 'ETIMEDOUT' ? `${dial}: i/o timeout`
    : tlsMismatch ? 'http: server gave HTTP response to HTTPS client'
    : err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN'
      ? 'tls: failed to verify certificate: x509: certificate signed by unknown authority'
    : err.message;
  return new HttpTransportError(`${verb} "${url.toString()}": ${detail}`, tlsMismatch);
}

/** The whole body as bytes, refusing more than `limitBytes` (manifests and tokens are small). */
export async function readAll(body: Readable, limitBytes = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      body.destroy();
      throw new Error(`response larger than ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
