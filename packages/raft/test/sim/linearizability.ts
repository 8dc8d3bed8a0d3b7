// A linearizability checker for the key-value history (Wing & Gong's search with Lowe's
// memoisation, as in Knossos and porcupine). Every key is an independent register, so the history is
// split per key and each part checked alone: the search is exponential in concurrency, and
// splitting keeps each part small.
//
// Operations of unknown outcome end at +Infinity: they may be linearised anywhere after their
// invocation, including after everything else, which is how "it never happened" is expressed.

import { completeOps, type CompletedOp, type HistoryEvent, type KvResult } from './history.js';

type Register = string | null;

export interface LinearizabilityResult {
  readonly ok: boolean;
  /** Keys whose history has no linearisation; empty when ok. */
  readonly badKeys: readonly string[];
  /** For the first bad key: the longest prefix of operations the search could linearise. */
  readonly detail: string;
}

/** Applies op to the register; undefined result means "unknown", which matches any outcome. */
function step(state: Register, o: CompletedOp): { ok: boolean; next: Register } {
  const op = o.op;
  const result: KvResult | undefined = o.result;
  switch (op.f) {
    case 'put':
      return { ok: true, next: op.value };
    case 'get':
      return { ok: result === undefined || result === state, next: state };
    case 'cas': {
      const swaps = state === op.expected;
      const ok = result === undefined || result === swaps;
      return { ok, next: swaps ? op.value : state };
    }
  }
}

interface Node {
  readonly op: CompletedOp;
  readonly index: number;
  readonly isCall: boolean;
  /** For a call: its return node. */
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

function buildList(ops: readonly CompletedOp[]): Node {
  const points: Node[] = [];
  ops.forEach((op, index) => {
    const ret: Node = { op, index, isCall: false, match: null, prev: null, next: null };
    const call: Node = { op, index, isCall: true, match: ret, prev: null, next: null };
    points.push(call, ret);
  });
  // Calls sort before returns at equal times: touching operations count as concurrent.
  const time = (n: Node): number => (n.isCall ? n.op.startMs : n.op.endMs);
  points.sort((a, b) => time(a) - time(b) || Number(b.isCall) - Number(a.isCall));
  const head: Node = { op: ops[0] as CompletedOp, index: -1, isCall: false, match: null, prev: null, next: null };
  let last = head;
  for (const p of points) {
    last.next = p;
    p.prev = last;
    last = p;
  }
  return head;
}

function lift(call: Node): void {
  const ret = call.match as Node;
  (call.prev as Node).next = call.next;
  if (call.next) call.next.prev = call.prev;
  (ret.prev as Node).next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match as Node;
  (ret.prev as Node).next = ret;
  if (ret.next) ret.next.prev = ret;
  (call.prev as Node).next = call;
  if (call.next) call.next.prev = call;
}

/** Whether one register's operations (all on one key) have a linearisation starting from null. */
export function checkRegister(
  ops: readonly CompletedOp[],
  stepsMax: number,
): { outcome: 'ok' | 'violation' | 'inconclusive'; longestPrefix: number } {
  if (ops.length === 0) return { outcome: 'ok', longestPrefix: 0 };
  const head = buildList(ops);
  // A bitset in 16-bit words, so a memo key is a short string (one character per 16 operations).
  const linearized = new Uint16Array(Math.ceil(ops.length / 16));
  const flip = (i: number): void => void (linearized[i >> 4] = (linearized[i >> 4] as number) ^ (1 << (i & 15)));
  const seen = new Set<string>();
  const stack: { call: Node; state: Register }[] = [];
  let state: Register = null;
  let entry = head.next;
  let longestPrefix = 0;
  for (let steps = 0; head.next !== null; steps++) {
    if (steps > stepsMax) return { outcome: 'inconclusive', longestPrefix };
    const node = entry as Node;
    if (node.isCall) {
      const { ok, next } = step(state, node.op);
      if (ok) {
        flip(node.index);
        const key = `${String.fromCharCode(...linearized)}|${next === null ? '\u0000' : next}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: node, state });
          longestPrefix = Math.max(longestPrefix, stack.length);
          state = next;
          lift(node);
          entry = head.next;
          continue;
        }
        flip(node.index);
      }
      entry = node.next;
      continue;
    }
    // A return reached before its call was linearised: undo the latest choice and try the next.
    const top = stack.pop();
    if (top === undefined) return { outcome: 'violation', longestPrefix };
    state = top.state;
    flip(top.call.index);
    unlift(top.call);
    entry = top.call.next;
  }
  return { outcome: 'ok', longestPrefix };
}

/**
 * Bounds one key's search; past it the result is "inconclusive" and reported as a failure, since a
 * checker that silently gives up would let bugs through.
 */
const SEARCH_STEPS_MAX = 1_000_000;

/**
 * A write of unknown outcome whose value nobody ever observed can be left out: placing it after
 * everything else is always legal, so a linearisation without it is one with it. Without this,
 * every timed-out write stays concurrent with the rest of the run and the search explodes. Leaving
 * it out can only make a history look worse (it might explain a failed compare-and-swap), so a
 * failure is re-checked on the full history.
 */
function withoutUnobservedUnknownWrites(ops: readonly CompletedOp[]): CompletedOp[] {
  const observed = new Set<string>();
  for (const o of ops) {
    if (o.op.f === 'get' && typeof o.result === 'string') observed.add(o.result);
    if (o.op.f === 'cas' && o.op.expected !== null) observed.add(o.op.expected);
  }
  return ops.filter((o) => o.result !== undefined || o.op.f === 'get' || observed.has(o.op.value));
}

export function checkLinearizable(events: readonly HistoryEvent[]): LinearizabilityResult {
  const byKey = new Map<string, CompletedOp[]>();
  for (const op of completeOps(events)) {
    const list = byKey.get(op.op.key) ?? [];
    list.push(op);
    byKey.set(op.op.key, list);
  }
  const badKeys: string[] = [];
  let detail = '';
  for (const [key, ops] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (checkRegister(withoutUnobservedUnknownWrites(ops), SEARCH_STEPS_MAX).outcome === 'ok') continue;
    const r = checkRegister(ops, SEARCH_STEPS_MAX);
    if (r.outcome === 'ok') continue;
    badKeys.push(key);
    if (detail === '')
      detail =
        r.outcome === 'inconclusive'
          ? `key ${key}: ${ops.length} operations, search gave up after ${SEARCH_STEPS_MAX} steps`
          : `key ${key}: ${ops.length} operations, at most ${r.longestPrefix} linearisable in a row`;
  }
  return { ok: badKeys.length === 0, badKeys, detail };
}
