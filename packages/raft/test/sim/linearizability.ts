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

/** The one state standing for every value that no operation ever reads or compares against. */
const DARK = '\u0001dark';

/**
 * Writes of unknown outcome whose value nobody observed (no read returned it, no compare-and-swap
 * expected it) are what makes the search explode: each stays open until the end of time. Their
 * values are indistinguishable to every other operation, so they all become DARK, and writes with
 * the same precondition become interchangeable: linearising them strictly in invocation order
 * loses no linearisation (an earlier-invoked one can stand in wherever a later one was used) and
 * turns 2^n subsets into n+1 prefixes. Returns the rewritten ops and, per op, the index of the dark
 * write that must be linearised before it (-1 for none).
 */
function darken(ops: readonly CompletedOp[]): { ops: CompletedOp[]; after: number[] } {
  const observed = new Set<string>();
  for (const o of ops) {
    if (o.op.f === 'get' && typeof o.result === 'string') observed.add(o.result);
    if (o.op.f === 'cas' && o.op.expected !== null) observed.add(o.op.expected);
  }
  const out = ops.map((o) =>
    o.result !== undefined || o.op.f === 'get' || observed.has(o.op.value) ? o : { ...o, op: { ...o.op, value: DARK } },
  );
  // Dark writes with the same precondition (puts: none; compare-and-swaps: the same expected value) are
  // interchangeable: chain each group in invocation order.
  const after = out.map(() => -1);
  const lastOfGroup = new Map<string, number>();
  const dark = out.map((o, i) => ({ o, i })).filter(({ o }) => o.op.f !== 'get' && o.op.value === DARK);
  for (const { o, i } of dark.sort((a, b) => a.o.startMs - b.o.startMs)) {
    const group = o.op.f === 'cas' ? `cas:${String(o.op.expected)}` : 'put';
    after[i] = lastOfGroup.get(group) ?? -1;
    lastOfGroup.set(group, i);
  }
  return { ops: out, after };
}

function isSet(bits: Uint16Array, i: number): boolean {
  return (((bits[i >> 4] as number) >> (i & 15)) & 1) === 1;
}

/** Whether one register's operations (all on one key) have a linearisation starting from null. */
export function checkRegister(
  input: readonly CompletedOp[],
  stepsMax: number,
): { outcome: 'ok' | 'violation' | 'inconclusive'; longestPrefix: number } {
  if (input.length === 0) return { outcome: 'ok', longestPrefix: 0 };
  const { ops, after } = darken(input);
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
      const before = after[node.index] as number;
      const { ok, next }: { ok: boolean; next: Register } = before >= 0 && !isSet(linearized, before) ? { ok: false, next: state } : step(state, node.op);
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
 * Every write stores a value no other write stores, so an operation that saw value v (a read of v,
 * or a compare-and-swap from v that succeeded) proves the write of v happened, and before that
 * operation ended. A write of unknown outcome whose value was seen therefore gets a known outcome
 * and ends where its first observer ends, instead of staying open until the end of time. This
 * excludes no valid linearisation and prunes the search enormously.
 */
function pinObservedUnknownWrites(ops: readonly CompletedOp[]): CompletedOp[] {
  const seenBy = new Map<string, number>();
  const see = (value: string, endMs: number): void => void seenBy.set(value, Math.min(endMs, seenBy.get(value) ?? Infinity));
  for (const o of ops) {
    if (o.op.f === 'get' && typeof o.result === 'string') see(o.result, o.endMs);
    if (o.op.f === 'cas' && o.op.expected !== null && o.result === true) see(o.op.expected, o.endMs);
  }
  return ops.map((o) => {
    if (o.result !== undefined || o.op.f === 'get') return o;
    const endMs = seenBy.get(o.op.value);
    if (endMs === undefined) return o;
    return { ...o, endMs: Math.max(endMs, o.startMs), result: o.op.f === 'cas' ? true : null };
  });
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
  for (const [key, all] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ops = pinObservedUnknownWrites(all);
    // Fast path: without the writes of unknown outcome (as if each happened after everything else).
    if (checkRegister(ops.filter((o) => o.result !== undefined || o.op.f === 'get'), SEARCH_STEPS_MAX).outcome === 'ok') continue;
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
