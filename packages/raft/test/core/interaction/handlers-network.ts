// Commands that move the world forward: handling Readies and delivering messages.
import type { Message, NodeId } from '../../../src/core/types.js';
import type { Directive } from '../datadriven.js';
import { idsOrAll, list, positional, str } from './args.js';
import type { InteractionEnv } from './env.js';

/** process-ready [ids...]: handle the Ready of each node that has one (all nodes by default). */
export function processReady(env: InteractionEnv, d: Directive): void {
  for (const id of idsOrAll(d, env.ids())) if (env.node(id).raw.hasReady()) env.processReady(id);
}

/**
 * deliver-msgs [ids...] [type=<message type>] [from=<id>] [drop=(ids)]: deliver queued messages to
 * the given nodes (all by default), optionally only of one type or sender; messages to the `drop`
 * nodes are discarded.
 */
export function deliverMsgs(env: InteractionEnv, d: Directive): void {
  const type = str(d, 'type');
  const from = str(d, 'from');
  const filter = (m: Message): boolean => (type === undefined || describeType(m) === type) && (from === undefined || m.from === from);
  const drop = list(d, 'drop');
  if (drop !== undefined) {
    for (const id of drop) env.deliver(id, filter, true);
    if (positional(d).length === 0) return;
  }
  for (const id of idsOrAll(d, env.ids())) env.deliver(id, filter, false);
}

/** drop-msgs <id> [type=<message type>] [count=n]: lose the first `count` (default all) matching messages to `id`. */
export function dropMsgs(env: InteractionEnv, d: Directive): void {
  const to = positional(d)[0];
  const type = str(d, 'type');
  let left = Number(str(d, 'count') ?? Infinity);
  env.deliver(to!, (m) => (type === undefined || describeType(m) === type) && left-- > 0, true);
}

function describeType(m: Message): string {
  return (m.type === 'vote' || m.type === 'vote-response') && m.pre ? `pre-${m.type}` : m.type;
}

/** stabilize [ids...]: handle Readies and deliver messages among the nodes until nothing is left. */
export function stabilize(env: InteractionEnv, d: Directive): void {
  const ids = idsOrAll(d, env.ids());
  for (let round = 0; ; round++) {
    if (round > 1000) throw new Error('stabilize: no quiescence after 1000 rounds');
    let busy = false;
    for (const id of ids) {
      if (env.node(id).raw.hasReady()) {
        env.processReady(id);
        busy = true;
      }
    }
    for (const id of ids) if (env.deliver(id, () => true, false) > 0) busy = true;
    if (!busy) return;
  }
}

/** partition (1) (2,3): from now on, messages between different groups are dropped on delivery. */
export function partition(env: InteractionEnv, d: Directive): void {
  const groups = d.text.split(/\s+/).slice(1).map((g) => new Set<NodeId>(g.replace(/[()]/g, '').split(',').filter((s) => s !== '')));
  const seen = new Set(groups.flatMap((g) => [...g]));
  for (const id of env.ids()) if (!seen.has(id)) throw new Error(`partition: node ${id} is in no group`);
  env.partition = groups;
}

/** heal: lift the partition. */
export function heal(env: InteractionEnv): void {
  env.partition = null;
}
