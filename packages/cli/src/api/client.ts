// Engine API client over a unix socket, speaking to shoald (or dockerd) the way the docker
// CLI does: a ping first to negotiate the version, versioned paths, sorted query strings,
// JSON bodies, and daemon errors decoded from {"message": ...}.

import http from 'node:http';
import { STATUS_CODES } from 'node:http';
import { DaemonError, DaemonUnreachableError } from './errors.js';
import type { DaemonHost } from './host.js';
import { goJson } from '../format/template.js';

/** The newest API version this CLI speaks; negotiation goes down from here, never up. */
export const MAX_API_VERSION = '1.41';
/** What docker assumes when the ping has no Api-Version header. */
export const FALLBACK_API_VERSION = '1.24';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query | undefined;
  /** Sent as JSON; `undefined` sends no body at all. */
  body?: unknown;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] is escaped, spaces become '+'. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, undefined values left out. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts = Object.keys(query)
    .sort()
    .filter((key) => query[key] !== undefined)
    .map((key) => `${goQueryEscape(key)}=${goQueryEscape(String(query[key]))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

export function negotiateVersion(advertised: string | undefined): string {
  if (!advertised) return FALLBACK_API_VERSION;
  return compareVersions(advertised, MAX_API_VERSION) < 0 ? advertised : MAX_API_VERSION;
}

export class EngineClient {
  private negotiated: Promise<string> | null = null;

  constructor(
    readonly host: DaemonHost,
    private readonly userAgent = 'Shoal-Client/0.1.0 (linux)',
  ) {}

  /** The negotiated API version (pings the daemon once per client). */
  apiVersion(): Promise<string> {
    this.negotiated ??= this.ping();
    return this.negotiated;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const response = await this.request('GET', path, { query });
    return JSON.parse(response.text) as T;
  }

  /** POSTs and returns the decoded JSON answer, or undefined for an empty body. */
  async post<T = unknown>(path: string, options: RequestOptions = {}): Promise<T | undefined> {
    const response = await this.request('POST', path, options);
    return response.text.trim() === '' ? undefined : (JSON.parse(response.text) as T);
  }

  async delete(path: string, query?: Query): Promise<void> {
    await this.request('DELETE', path, { query });
  }

  /** A versioned request; statuses of 400 and above become DaemonError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const version = await this.apiVersion();
    const url = `/v${version}${path}${encodeQuery(options.query)}`;
    const response = await this.send(method, url, options.body);
    if (response.status >= 400) throw decodeError(response, url);
    return response;
  }

  /** A versioned request whose body is handed over unread, for logs, events and waits. */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
    const version = await this.apiVersion();
    const url = `/v${version}${path}${encodeQuery(options.query)}`;
    const message = await this.open(method, url, options.body);
    if ((message.statusCode ?? 0) >= 400) {
      const text = await readAll(message);
      throw decodeError({ status: message.statusCode ?? 0, headers: message.headers, text }, url);
    }
    return message;
  }

  private async ping(): Promise<string> {
    let response = await this.send('HEAD', '/_ping', undefined);
    if (response.status !== 200 && response.status !== 500) response = await this.send('GET', '/_ping', undefined);
    const header = response.headers['api-version'];
    return negotiateVersion(Array.isArray(header) ? header[0] : header);
  }

  private async send(method: string, url: string, body: unknown): Promise<RawResponse> {
    const message = await this.open(method, url, body);
    const text = await readAll(message);
    return { status: message.statusCode ?? 0, headers: message.headers, text };
  }

  private open(method: string, url: string, body: unknown): Promise<http.IncomingMessage> {
    // Go's json.Encoder, which the docker client uses, ends the body with a newline.
    const payload = body === undefined ? undefined : Buffer.from(goJson(body) + '\n');
    const headers: http.OutgoingHttpHeaders = { Host: 'api.moby.localhost', 'User-Agent': this.userAgent };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const request = http.request({ socketPath: this.host.socketPath, method, path: url, headers }, resolve);
      request.on('error', (cause) => reject(new DaemonUnreachableError(this.host.url, { cause })));
      request.end(payload);
    });
  }
}

function readAll(message: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    message.on('error', reject);
  });
}

/** Mirrors docker's client: only a Content-Type of exactly application/json is decoded. */
function decodeError(response: RawResponse, url: string): DaemonError {
  const text = response.text;
  if (text.trim() === '') {
    const statusText = STATUS_CODES[response.status] ?? String(response.status);
    return new DaemonError(
      response.status,
      `request returned ${statusText} for API route and version ${url}, check if the server supports the requested API version`,
    );
  }
  if (response.headers['content-type'] === 'application/json') {
    try {
      const decoded = JSON.parse(text) as { message?: unknown };
      return new DaemonError(response.status, String(decoded.message ?? ''));
    } catch (error) {
      return new DaemonError(response.status, `Error reading JSON: ${(error as Error).message}`);
    }
  }
  return new DaemonError(response.status, text.trim());
}
