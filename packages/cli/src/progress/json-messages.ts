// Decodes a daemon's JSON message stream (import, load, ...) into display messages, as docker's
// jsonstream.Display does: stream text, status lines, progress lines; an error message ends it.

import { UsageError } from '../api/errors.js';
import type { ProgressDisplay } from './json-stream.js';

interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number; hidecounts?: boolean };
  errorDetail?: { message?: string };
  error?: string;
  aux?: unknown;
}

/** An error reported inside the stream (errorDetail); printed verbatim like docker. */
export class StreamError extends UsageError {
  override readonly name = 'StreamError';
}

function showOne(display: ProgressDisplay, message: JsonMessage): void {
  if (message.errorDetail || message.error) throw new StreamError(message.errorDetail?.message ?? message.error ?? '');
  if (message.aux !== undefined) return;
  const id = message.id ?? '';
  if (message.stream !== undefined) display.show({ kind: 'stream', text: message.stream });
  else if (message.progressDetail) {
    const detail = message.progressDetail;
    display.show({ kind: 'progress', id, action: message.status ?? '', current: detail.current ?? 0, total: detail.total ?? 0, hideCounts: !!detail.hidecounts });
  } else display.show({ kind: 'status', id, message: message.status ?? '' });
}

/** Reads concatenated JSON objects off `body` and shows each one in order. */
export async function displayJsonMessages(body: AsyncIterable<Buffer | string>, display: ProgressDisplay): Promise<void> {
  let pending = '';
  for await (const chunk of body) {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') showOne(display, JSON.parse(line) as JsonMessage);
    }
  }
  if (pending.trim() !== '') showOne(display, JSON.parse(pending) as JsonMessage);
}
