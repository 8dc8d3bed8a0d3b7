// Commands that feed a node an input: time, proposals, elections, reads, reports, compaction.
import type { ConfChange } from '../../../src/core/types.js';
import type { Directive } from '../datadriven.js';
import { firstPositional, positional, str } from './args.js';
import type { InteractionEnv } from './env.js';

function ticks(env: InteractionEnv, d: Directive, count: (o: { electionTicks?: number; heartbeatTicks?: number }) => number): void {
  const node = env.node(firstPositional(d));
  const n = count(node.options);
  for (let i = 0; i < n; i++) node.raw.tick();
}

/** tick-election <id>: an election timeout's worth of ticks (scenarios use no randomness). */
export function tickElection(env: InteractionEnv, d: Directive): void {
  ticks(env, d, (o) => o.electionTicks ?? 10);
}

/** tick-heartbeat <id> */
export function tickHeartbeat(env: InteractionEnv, d: Directive): void {
  ticks(env, d, (o) => o.heartbeatTicks ?? 1);
}

/** tick <id> <count> */
export function tick(env: InteractionEnv, d: Directive): void {
  ticks(env, d, () => Number(positional(d)[1] ?? '1'));
}

/** campaign <id> */
export function campaign(env: InteractionEnv, d: Directive): void {
  env.node(firstPositional(d)).raw.campaign();
}

/** propose <id> <data> */
export function propose(env: InteractionEnv, d: Directive): void {
  const [id, data] = positional(d);
  const index = env.node(id!).raw.propose(env.data(data ?? ''));
  env.print(`proposed at index ${index}`);
}

/** propose-conf-change <id> v<n>|l<n>|r<n> (add voter, add learner, remove) */
export function proposeConfChange(env: InteractionEnv, d: Directive): void {
  const [id, change] = positional(d);
  const kinds = { v: 'add-voter', l: 'add-learner', r: 'remove' } as const;
  const kind = kinds[(change ?? '').charAt(0) as keyof typeof kinds];
  if (kind === undefined) throw new Error(`propose-conf-change: bad change ${change}`);
  const cc: ConfChange = { type: kind, nodeId: change!.slice(1) };
  const index = env.node(id!).raw.proposeConfChange(cc);
  env.print(`proposed at index ${index}`);
}

/** transfer-leadership from=<id> to=<id> */
export function transferLeadership(env: InteractionEnv, d: Directive): void {
  env.node(str(d, 'from')!).raw.transferLeadership(str(d, 'to')!);
}

/** read-index <id> <context> */
export function readIndex(env: InteractionEnv, d: Directive): void {
  const [id, context] = positional(d);
  env.node(id!).raw.readIndex(context ?? '');
}

/** report-unreachable <id> <peer> */
export function reportUnreachable(env: InteractionEnv, d: Directive): void {
  const [id, peer] = positional(d);
  env.node(id!).raw.reportUnreachable(peer!);
}

/** report-snapshot <id> <peer> ok|failed */
export function reportSnapshot(env: InteractionEnv, d: Directive): void {
  const [id, peer, outcome] = positional(d);
  env.node(id!).raw.reportSnapshot(peer!, outcome === 'ok');
}

/** compact <id> <index>: snapshot the state machine at `index` and drop the log up to it. */
export function compact(env: InteractionEnv, d: Directive): void {
  const [id, at] = positional(d);
  const node = env.node(id!);
  const index = Number(at);
  node.storage.createSnapshot(index, env.confStateAt(node, index), env.snapshotData(node, index));
  node.storage.compact(index);
}
