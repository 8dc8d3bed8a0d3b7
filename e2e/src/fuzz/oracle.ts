// The oracle for one reply: a client error is a 4xx with Content-Type exactly application/json and a
// {"message": "..."} body; a success is a 2xx; shoal's documented refusals are 501 (not implemented)
// and 503 (not a manager / already in a swarm), both with a JSON message. Anything else is a finding.
import type { FuzzCase } from './cases.js';
import type { RawOutcome } from './raw-http.js';

export type Verdict =
  | { readonly ok: true; readonly status: number | 'cut' }
  | { readonly ok: false; readonly status: number | string; readonly problem: string };

const DOCUMENTED_5XX = new Set([501, 503]);

export function judge(c: FuzzCase, outcome: RawOutcome): Verdict {
  if (outcome.kind !== 'reply') {
    // A server may answer an oversized upload or URL and close without reading the rest; the client's write
    // then fails (EPIPE/ECONNRESET) and the answer can be lost with the connection. That is a refusal.
    if ((c.category === 'huge' || c.category === 'long') && outcome.kind === 'error' && /EPIPE|ECONNRESET/.test(outcome.detail)) return { ok: true, status: 'cut' };
    return { ok: false, status: outcome.kind, problem: `no reply: ${outcome.detail}` };
  }
  const { status, headers, body } = outcome;
  if (status >= 200 && status < 300) return judgeSuccess(c, status, headers, body);
  if ((status >= 400 && status < 500) || DOCUMENTED_5XX.has(status)) {
    const problem = errorBodyProblem(c, headers, body);
    return problem === undefined ? { ok: true, status } : { ok: false, status, problem };
  }
  return { ok: false, status, problem: `status ${status}: ${body.subarray(0, 300).toString('utf8')}` };
}

function judgeSuccess(c: FuzzCase, status: number, headers: Readonly<Record<string, string>>, body: Buffer): Verdict {
  if (body.length === 0 || c.method === 'HEAD') return { ok: true, status };
  const type = headers['content-type'];
  if (type === 'text/plain; charset=utf-8') return { ok: true, status };
  if (type !== 'application/json') return { ok: false, status, problem: `2xx with Content-Type ${JSON.stringify(type)}` };
  try {
    JSON.parse(body.toString('utf8'));
    return { ok: true, status };
  } catch {
    return { ok: false, status, problem: '2xx with a body that is not JSON' };
  }
}

function errorBodyProblem(c: FuzzCase, headers: Readonly<Record<string, string>>, body: Buffer): string | undefined {
  if (headers['content-type'] !== 'application/json') return `error with Content-Type ${JSON.stringify(headers['content-type'])}`;
  if (c.method === 'HEAD' && body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return `error body is not JSON: ${JSON.stringify(body.subarray(0, 120).toString('utf8'))}`;
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || message.trim() === '') return `error body without a message: ${body.subarray(0, 120).toString('utf8')}`;
  return undefined;
}

/** The message of an error reply, for grouping findings and counting refusals. */
export function replyMessage(outcome: RawOutcome): string {
  if (outcome.kind !== 'reply') return outcome.detail;
  try {
    const m = (JSON.parse(outcome.body.toString('utf8')) as { message?: unknown }).message;
    return typeof m === 'string' ? m : '';
  } catch {
    return outcome.body.subarray(0, 200).toString('utf8');
  }
}
