// Request bodies: JSON only, bounded in size, with dockerd's messages for the usual mistakes.
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError, PayloadTooLargeError } from './errors.js';

export const bodyBytesMaxDefault = 1024 * 1024;

/** A request's body with its headers: the request itself, or a body read ahead of an upgrade. */
export type BodySource = Pick<IncomingMessage, 'headers'> & AsyncIterable<Buffer>;

/** Reads the whole body, refusing (413) as soon as it grows past `limitBytes`. */
export async function readBody(req: BodySource, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += chunk.length;
    if (total > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Parses a JSON request body; an empty body is an error, like dockerd's ReadJSON. */
export async function readJsonBody(req: BodySource, limitBytes: number): Promise<unknown> {
  checkJsonContentType(req);
  const raw = await readBody(req, limitBytes);
  const textBody = raw.toString('utf8');
  if (textBody.trim() === '') throw new InvalidArgumentError('invalid JSON: got EOF while reading request body');
  try {
    return JSON.parse(textBody) as unknown;
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function checkJsonContentType(req: BodySource): void {
  const ct = req.headers['content-type'];
  if (ct === undefined || ct === '') return;
  const mediaType = (ct.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new InvalidArgumentError(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  }
}

function tooLarge(limitBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than the limit of ${limitBytes} bytes`);
}

/** A decoded JSON body that must be an object; an absent body counts as {}. */
export function objectBody<T>(body: unknown): T {
  if (body === null || body === undefined) return {} as T;
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('request body must be a JSON object');
  return body as T;
}
