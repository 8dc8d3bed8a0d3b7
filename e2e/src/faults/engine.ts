// Engine API calls over a daemon's unix socket with a hard deadline, classified the way a history
// checker needs them: a 2xx was applied, a 4xx was refused (not applied), and anything else (timeout,
// cut connection, 5xx) may or may not have been applied.
import { request } from 'node:http';

export type Outcome = 'ok' | 'fail' | 'unknown';

export interface EngineReply {
  readonly outcome: Outcome;
  /** HTTP status, or 0 when there was none. */
  readonly status: number;
  readonly body: unknown;
  /** Why the outcome is not ok: the daemon's message or the transport error. */
  readonly detail: string;
}

/** Errors that prove the request never reached a daemon: nothing can have been applied. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOENT']);

export function callEngine(socketPath: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<EngineReply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reply: EngineReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(reply);
    };
    const req = request({
      socketPath,
      method,
      path: `/v1.41${path}`,
      headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': payload.length },
    });
    const timer = setTimeout(() => finish({ outcome: 'unknown', status: 0, body: undefined, detail: `no reply within ${timeoutMs} ms` }), timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => finish({ outcome: 'unknown', status: res.statusCode ?? 0, body: undefined, detail: err.message }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // a non-JSON body stays text
        }
        const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String(parsed.message) : text;
        const outcome: Outcome = status >= 200 && status < 300 ? 'ok' : status >= 400 && status < 500 ? 'fail' : 'unknown';
        finish({ outcome, status, body: parsed, detail: outcome === 'ok' ? '' : `${status} ${message}` });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish({ outcome: NOT_SENT.has(err.code ?? '') ? 'fail' : 'unknown', status: 0, body: undefined, detail: err.message });
    });
    req.end(payload);
  });
}

/** A read that must succeed: returns the body or throws with the reply's detail. */
export async function getJson<T>(socketPath: string, path: string, timeoutMs = 10_000): Promise<T> {
  const reply = await callEngine(socketPath, 'GET', path, undefined, timeoutMs);
  if (reply.outcome !== 'ok') throw new Error(`GET ${path}: ${reply.detail}`);
  return reply.body as T;
}
