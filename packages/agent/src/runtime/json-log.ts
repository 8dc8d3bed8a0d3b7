// A container's log file, in one of two line formats: Docker's json-file ({"log":"…\n","stream":"stdout",
// "time":"…"}), written by our Node shim, and the CRI "k8s-file" format (`<time> stdout F text`, P for a
// part of a longer line), written by conmon. logs() reads either back, with tail and follow.
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLine } from './types.js';

const LINE_MAX_BYTES = 16 * 1024;

/** One json-file log line. Docker's format: {"log":"…\n","stream":"stdout","time":"…"}. */
export function jsonLogLine(stream: 'stdout' | 'stderr', data: string, time: string): string {
  return JSON.stringify({ log: data, stream, time }) + '\n';
}

/** Splits a byte stream into lines (kept with their "\n"), flushing overlong partial lines. */
export class LineSplitter {
  #pending = '';
  push(chunk: string): string[] {
    this.#pending += chunk;
    const lines: string[] = [];
    let nl: number;
    while ((nl = this.#pending.indexOf('\n')) >= 0) {
      lines.push(this.#pending.slice(0, nl + 1));
      this.#pending = this.#pending.slice(nl + 1);
    }
    if (Buffer.byteLength(this.#pending) > LINE_MAX_BYTES) {
      lines.push(this.#pending);
      this.#pending = '';
    }
    return lines;
  }
  flush(): string[] {
    const rest = this.#pending;
    this.#pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** Parses one log line of either format; undefined for a torn or foreign line (a crash mid-write leaves one). */
export function parseLogLine(line: string): LogLine | undefined {
  return line.startsWith('{') ? parseJsonFileLine(line) : parseK8sFileLine(line);
}

// `2026-11-27T10:06:12.753214072+00:00 stdout F hello`: the tag F ends a line, P is part of one.
const K8S_LINE_RE = /^(\S+) (stdout|stderr) ([A-Z:]+) (.*)$/s;

function parseK8sFileLine(line: string): LogLine | undefined {
  const m = K8S_LINE_RE.exec(line);
  if (m === null) return undefined;
  const [, time, stream, tags, text] = m;
  const full = tags!.split(':').includes('F');
  // conmon writes local time with an offset; Docker's clients expect UTC as RFC 3339 with "Z".
  return { stream: stream as LogLine['stream'], time: time!.replace(/\+00:00$/, 'Z'), data: Buffer.from(full ? `${text}\n` : text!, 'utf8') };
}

function parseJsonFileLine(line: string): LogLine | undefined {
  try {
    const o = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof o.log !== 'string' || (o.stream !== 'stdout' && o.stream !== 'stderr') || typeof o.time !== 'string') return undefined;
    return { stream: o.stream, time: o.time, data: Buffer.from(o.log, 'utf8') };
  } catch {
    return undefined;
  }
}

export interface ReadLogOptions {
  readonly tail?: number | undefined;
  readonly follow?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Which lines count (tail counts only these). Default: all. */
  readonly accept?: (line: LogLine) => boolean;
  /** While following: whether more may still come (the container runs). Checked after each empty read. */
  readonly live?: () => boolean;
  readonly pollMs?: number;
  /** Where to start reading, in bytes (an attach reads only what was written since). Default 0. */
  readonly from?: number;
}

/** Yields the log's lines (the last `tail` of them), then, when following, new ones until `live()` is false. */
export async function* readLog(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogLine> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (file === undefined) return;
  try {
    let offset = options.from ?? 0;
    let pending = '';
    const readNew = async (): Promise<LogLine[]> => {
      const { size } = await file.stat();
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await file.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = pending + buf.subarray(0, bytesRead).toString('utf8');
      const cut = text.lastIndexOf('\n');
      pending = text.slice(cut + 1);
      const accept = options.accept ?? (() => true);
      return text.slice(0, cut + 1).split('\n').flatMap((l) => {
        const line = l === '' ? undefined : parseLogLine(l);
        return line !== undefined && accept(line) ? [line] : [];
      });
    };
    let first = await readNew();
    if (options.tail !== undefined) first = options.tail <= 0 ? [] : first.slice(-options.tail);
    yield* first;
    if (!options.follow) return;
    const live = options.live ?? (() => false);
    while (!options.signal?.aborted) {
      const more = await readNew();
      yield* more;
      if (more.length > 0) continue;
      // Read once more after the container stopped: its monitor writes the last lines before the exit file.
      if (!live()) {
        yield* await readNew();
        return;
      }
      await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await file.close();
  }
}
