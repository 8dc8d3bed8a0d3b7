// The Engine API fuzz run: batches of seeded cases sent concurrently to a live swarm manager and to a
// spare daemon outside the swarm, a ping of both (with a deadline) after every batch, and at the end a
// check of every stored object and of the daemons' memory. Returns figures and findings; never throws
// for what the daemon does (a crash or hang is a finding), only for a broken setup.
import { readFileSync } from 'node:fs';
import { generateCase, type CaseContext, type Category, type FuzzCase, type Target } from './cases.js';
import { judge, replyMessage } from './oracle.js';
import { Prng } from './prng.js';
import { encodeRequest, sendRaw } from './raw-http.js';
import type { TemplateContext } from './templates.js';
import { networkProblems, nodeProblems, swarmProblems } from './validate.js';

export interface FuzzDaemon {
  readonly socket: string;
  readonly pid: number;
  readonly template: TemplateContext;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  readonly manager: FuzzDaemon;
  /** A daemon in no swarm: init/join bodies reach their validation there. */
  readonly spare: FuzzDaemon;
  /** Default 40. */
  readonly batchSize?: number;
  /** Requests in flight at once within a batch. Default 8. */
  readonly concurrency?: number;
  /** Longest wait for one reply before it counts as a hang. Default 20 000 ms. */
  readonly replyTimeoutMs?: number;
  /** Longest wait for /_ping after a batch. Default 5 000 ms. */
  readonly pingDeadlineMs?: number;
  /** The daemon's request body limit. Default 1 MiB. */
  readonly bodyBytesMax?: number;
  readonly log?: (line: string) => void;
}

export interface Finding {
  readonly n: number;
  readonly category: Category;
  readonly target: Target;
  readonly label: string;
  readonly status: number | string;
  readonly problem: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly byCategory: Readonly<Record<string, number>>;
  readonly findings: readonly Finding[];
  /** Daemons that died during the run (must be 0). */
  readonly crashes: number;
  /** Pings that missed their deadline with the daemon alive (must be 0). */
  readonly hangs: number;
  readonly responses5xx: number;
  readonly responses500: number;
  readonly accepted: number;
  readonly storedProblems: readonly string[];
  readonly rssKb: { readonly manager: RssFigures; readonly spare: RssFigures };
  readonly slowestReplyMs: number;
  readonly durationMs: number;
}

export interface RssFigures {
  readonly before: number;
  readonly max: number;
  readonly after: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const rng = new Prng(options.seed);
  const batchSize = options.batchSize ?? 40;
  const replyTimeoutMs = options.replyTimeoutMs ?? 20_000;
  const daemons = { manager: options.manager, spare: options.spare };
  const byStatus: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  const findings: Finding[] = [];
  const rss = { manager: rssTracker(options.manager.pid), spare: rssTracker(options.spare.pid) };
  let crashes = 0;
  let hangs = 0;
  let accepted = 0;
  let slowest = 0;
  const storedProblems: string[] = [];

  for (let done = 0; done < options.cases && crashes === 0; done += batchSize) {
    const ctx = await caseContext(options);
    const batch = Array.from({ length: Math.min(batchSize, options.cases - done) }, (_, i) => generateCase(rng, ctx, done + i));
    await pool(batch, options.concurrency ?? 8, async (c) => {
      // An accepted init generates the cluster's keys (pure-JS RSA) and waits for leadership: slow, not stuck.
      const timeoutMs = /^\/swarm\/(init|join)/.test(c.label) ? Math.max(replyTimeoutMs, 60_000) : replyTimeoutMs;
      const outcome = await sendRaw(daemons[c.target].socket, c.bytes, timeoutMs);
      const verdict = judge(c, outcome);
      byStatus[String(verdict.status)] = (byStatus[String(verdict.status)] ?? 0) + 1;
      byCategory[c.category] = (byCategory[c.category] ?? 0) + 1;
      if (outcome.kind === 'reply') slowest = Math.max(slowest, outcome.ms);
      if (!verdict.ok) {
        findings.push({ n: c.n, category: c.category, target: c.target, label: c.label.slice(0, 200), status: verdict.status, problem: verdict.problem.slice(0, 300) });
        log(`finding #${c.n} [${c.category}] ${c.target} ${c.label.slice(0, 120)} → ${verdict.status}: ${verdict.problem.slice(0, 200)}`);
      } else if (typeof verdict.status === 'number' && verdict.status >= 200 && verdict.status < 300 && c.method === 'POST') {
        accepted++;
        if (c.target === 'spare' && c.label.startsWith('/swarm/init')) storedProblems.push(...(await resetSpare(options.spare)));
      }
    });
    for (const target of ['manager', 'spare'] as const) {
      rss[target].sample();
      const health = await ping(daemons[target], options.pingDeadlineMs ?? 5_000);
      if (health === 'dead') crashes++;
      if (health === 'hung') hangs++;
      if (health !== 'ok') log(`${target} is ${health} after case ${done + batch.length - 1}`);
    }
    log(`${done + batch.length}/${options.cases} cases, ${findings.length} findings`);
  }
  if (crashes === 0) storedProblems.push(...(await storedObjectProblems(options.manager.socket)));
  const responses5xx = Object.entries(byStatus).filter(([s]) => /^5\d\d$/.test(s)).reduce((sum, [, n]) => sum + n, 0);
  return {
    seed: options.seed,
    cases: options.cases,
    byStatus,
    byCategory,
    findings,
    crashes,
    hangs,
    responses5xx,
    responses500: byStatus['500'] ?? 0,
    accepted,
    storedProblems,
    rssKb: { manager: rss.manager.figures(), spare: rss.spare.figures() },
    slowestReplyMs: slowest,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Current IDs and versions, so cases can name real objects and sometimes carry the right version. */
async function caseContext(options: FuzzOptions): Promise<CaseContext> {
  const socket = options.manager.socket;
  const nodes = ((await getJson(socket, '/nodes')) ?? []) as { ID: string; Version: { Index: number } }[];
  const networks = ((await getJson(socket, '/networks')) ?? []) as { Id: string }[];
  const swarm = (await getJson(socket, '/swarm')) as { Version?: { Index: number } } | undefined;
  return {
    manager: options.manager.template,
    spare: options.spare.template,
    nodeIds: nodes.map((n) => n.ID),
    networkIds: networks.map((n) => n.Id),
    swarmVersion: swarm?.Version?.Index ?? 1,
    nodeVersions: Object.fromEntries(nodes.map((n) => [n.ID, n.Version.Index])),
    bodyBytesMax: options.bodyBytesMax ?? 1024 * 1024,
  };
}

export async function getJson(socket: string, path: string): Promise<unknown> {
  const outcome = await sendRaw(socket, encodeRequest({ method: 'GET', path }), 10_000);
  if (outcome.kind !== 'reply' || outcome.status !== 200) return undefined;
  return JSON.parse(outcome.body.toString('utf8')) as unknown;
}

/** An init on the spare was accepted: check what it stored, then leave so later cases meet a spare again. */
async function resetSpare(spare: FuzzDaemon): Promise<string[]> {
  const problems = await storedObjectProblems(spare.socket);
  const left = await sendRaw(spare.socket, encodeRequest({ method: 'POST', path: '/swarm/leave?force=1' }), 30_000);
  if (left.kind !== 'reply' || left.status !== 200) problems.push(`spare could not leave the swarm it was fuzzed into: ${replyMessage(left)}`);
  return problems.map((p) => `spare after an accepted init: ${p}`);
}

export async function storedObjectProblems(socket: string): Promise<string[]> {
  const problems: string[] = [];
  const networks = ((await getJson(socket, '/networks')) ?? []) as { Id: string; Scope: string }[];
  for (const summary of networks) {
    const full = await getJson(socket, `/networks/${summary.Id}`);
    problems.push(...networkProblems(full ?? summary));
  }
  const nodes = ((await getJson(socket, '/nodes')) ?? []) as { ID: string }[];
  for (const summary of nodes) problems.push(...nodeProblems((await getJson(socket, `/nodes/${summary.ID}`)) ?? summary));
  const swarm = await getJson(socket, '/swarm');
  if (swarm !== undefined) problems.push(...swarmProblems(swarm));
  return problems;
}

async function ping(daemon: FuzzDaemon, deadlineMs: number): Promise<'ok' | 'hung' | 'dead'> {
  const outcome = await sendRaw(daemon.socket, encodeRequest({ method: 'GET', path: '/_ping' }), deadlineMs);
  if (outcome.kind === 'reply' && outcome.status === 200) return 'ok';
  return alive(daemon.pid) ? 'hung' : 'dead';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process in KiB, from /proc/<pid>/status; 0 when it is gone. */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function rssTracker(pid: number): { sample(): void; figures(): RssFigures } {
  const before = rssKb(pid);
  let max = before;
  return {
    sample: () => void (max = Math.max(max, rssKb(pid))),
    figures: () => ({ before, max, after: rssKb(pid) }),
  };
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

export type { FuzzCase };
