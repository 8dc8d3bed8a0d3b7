// What a handler returns, and how it is written. JSON is written like dockerd's encoder: compact,
// no HTML escaping, one trailing newline.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A body-less answer: 204/304, or 200 with Content-Length 0 and no Content-Type (dockerd's empty 200). */
export interface EmptyResult {
  readonly kind: 'empty';
  readonly status: 200 | 201 | 204 | 304;
}

export interface JsonResult {
  readonly kind: 'json';
  readonly status: number;
  readonly body: unknown;
}

export interface TextResult {
  readonly kind: 'text';
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Writes headers at once, then lets `produce` write the body over time (wait, logs, events). */
export interface StreamResult {
  readonly kind: 'stream';
  readonly status: number;
  readonly contentType: string;
  readonly produce: (sink: StreamSink, signal: AbortSignal) => Promise<void>;
}

/**
 * Takes over the connection (Docker's hijack): answers `101 UPGRADED` when the client asked to upgrade
 * (else 200 with a streamed body), then `run` owns the raw bytes both ways until it settles.
 */
export interface HijackResult {
  readonly kind: 'hijack';
  readonly contentType: string;
  readonly run: (conn: Duplex, signal: AbortSignal) => Promise<void>;
}

export type ApiResult = EmptyResult | JsonResult | TextResult | StreamResult | HijackResult;

export interface StreamSink {
  /** Resolves when the chunk is handed to the socket (respecting backpressure). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Writes one JSON value followed by a newline, as dockerd's streaming encoders do. */
  writeJson(value: unknown): Promise<void>;
}

export function json(body: unknown, status = 200): JsonResult {
  return { kind: 'json', status, body };
}

export function empty(status: EmptyResult['status'] = 200): EmptyResult {
  return { kind: 'empty', status };
}

export function text(body: string, headers: Readonly<Record<string, string>> = {}, status = 200): TextResult {
  return { kind: 'text', status, body, headers };
}

export function stream(produce: StreamResult['produce'], options: { status?: number; contentType?: string } = {}): StreamResult {
  return {
    kind: 'stream',
    status: options.status ?? 200,
    contentType: options.contentType ?? 'application/json',
    produce,
  };
}

export function hijack(run: HijackResult['run'], contentType: string): HijackResult {
  return { kind: 'hijack', contentType, run };
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** Writes a non-streaming result; HEAD requests get the headers only. */
export function writeResult(res: ServerResponse, result: Exclude<ApiResult, StreamResult | HijackResult>, head: boolean): void {
  switch (result.kind) {
    case 'empty':
      res.writeHead(result.status, result.status === 204 || result.status === 304 ? {} : { 'Content-Length': '0' });
      res.end();
      return;
    case 'json':
      writeBody(res, result.status, 'application/json', encodeJson(result.body), head);
      return;
    case 'text':
      for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
      writeBody(res, result.status, 'text/plain; charset=utf-8', result.body, head);
      return;
  }
}

function writeBody(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': head ? '0' : String(bytes.length) });
  res.end(head ? undefined : bytes);
}

/** Flushes the headers immediately, then runs the producer; ends the response when it settles. */
export async function writeStream(res: ServerResponse, result: StreamResult, signal: AbortSignal): Promise<void> {
  res.writeHead(result.status, { 'Content-Type': result.contentType });
  res.flushHeaders();
  const sink: StreamSink = {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed || res.writableEnded) return reject(new Error('client went away'));
        res.write(chunk, (err) => (err ? reject(err) : resolve()));
      }),
    writeJson: (value) => sink.write(encodeJson(value)),
  };
  try {
    await result.produce(sink, signal);
  } finally {
    if (!res.writableEnded) res.end();
  }
}
