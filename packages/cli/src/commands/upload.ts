// Requests whose body is a byte stream (image import and load) or whose connection is taken over
// (exec start): the docker client's postRaw and postHijacked over the daemon's unix socket.

import http from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { EngineClient, Query } from '../api/client.js';
import { encodeQuery } from '../api/client.js';
import { DaemonError, DaemonUnreachableError } from '../api/errors.js';

const HEADERS = { Host: 'api.moby.localhost', 'User-Agent': 'Shoal-Client/0.1.0 (linux)' };

async function readText(message: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of message as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** docker's error decoding: JSON {message} only for a Content-Type of exactly application/json. */
async function failure(message: http.IncomingMessage): Promise<DaemonError> {
  const text = await readText(message);
  const status = message.statusCode ?? 0;
  if (message.headers['content-type'] === 'application/json') {
    try {
      return new DaemonError(status, String((JSON.parse(text) as { message?: unknown }).message ?? ''));
    } catch {
      // fall through to the raw text
    }
  }
  return new DaemonError(status, text.trim());
}

async function versioned(client: EngineClient, path: string, query: Query | undefined): Promise<string> {
  return `/v${await client.apiVersion()}${path}${encodeQuery(query)}`;
}

/** POSTs `body` as it is read (chunked); resolves with the response once its headers arrive. */
export async function postStream(
  client: EngineClient,
  path: string,
  query: Query | undefined,
  body: Readable | NodeJS.ReadableStream,
  contentType: string,
): Promise<http.IncomingMessage> {
  const url = await versioned(client, path, query);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = http.request({ socketPath: client.host.socketPath, method: 'POST', path: url, headers: { ...HEADERS, 'Content-Type': contentType } }, resolve);
    request.on('error', (cause) => reject(new DaemonUnreachableError(client.host.url, { cause })));
    body.on('error', (error: Error) => request.destroy(error));
    body.pipe(request);
  });
  if ((response.statusCode ?? 0) >= 400) throw await failure(response);
  return response;
}

/** POSTs JSON with `Upgrade: tcp` and hands over the socket after the daemon's 101. */
export async function postHijacked(client: EngineClient, path: string, body: unknown): Promise<Socket> {
  const url = await versioned(client, path, undefined);
  const payload = Buffer.from(JSON.stringify(body) + '\n');
  return new Promise<Socket>((resolve, reject) => {
    const request = http.request({
      socketPath: client.host.socketPath,
      method: 'POST',
      path: url,
      headers: { ...HEADERS, 'Content-Type': 'application/json', 'Content-Length': payload.length, Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    request.on('upgrade', (_response, socket: Socket, head: Buffer) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    // A daemon that answers without upgrading sends an error (or an older, non-101 success).
    request.on('response', (response) => {
      if ((response.statusCode ?? 0) >= 400) failure(response).then(reject, reject);
      else resolve(response.socket as Socket);
    });
    request.on('error', (cause) => reject(new DaemonUnreachableError(client.host.url, { cause })));
    request.end(payload);
  });
}
