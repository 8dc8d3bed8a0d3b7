// Commands that create or restart nodes.
import type { Directive } from '../datadriven.js';
import type { InteractionEnv } from './env.js';
import { bool, firstPositional, int, list } from './args.js';
import type { Snapshot } from '../../../src/core/types.js';

/**
 * add-nodes <n> [voters=(1,2,3)] [learners=(4)] [index=1] [content=(a,b)] [prevote=true] [checkquorum=true]
 *   [election=10] [heartbeat=1] [max-inflight=256] [max-inflight-bytes=..] [max-msg-size=..]
 *   [snapshot-chunk=..] [snapshot-retry=..] [max-committed-size=..]
 * Nodes get the next free numeric ids. With voters, each starts from a snapshot at `index` holding
 * that configuration (and `content` as state); without, it starts empty and must be caught up.
 */
export function addNodes(env: InteractionEnv, d: Directive): void {
  const n = Number(firstPositional(d));
  const voters = list(d, 'voters');
  const learners = list(d, 'learners') ?? [];
  const index = int(d, 'index') ?? 1;
  const content = list(d, 'content') ?? [];
  const bootstrap: Snapshot | null = voters === undefined ? null : {
    meta: { index, term: 1, confState: { voters, learners } },
    data: env.data(content.join(',')),
  };
  const options = {
    ...opt('preVote', bool(d, 'prevote')),
    ...opt('checkQuorum', bool(d, 'checkquorum')),
    ...opt('electionTicks', int(d, 'election')),
    ...opt('heartbeatTicks', int(d, 'heartbeat')),
    ...opt('maxInflightMsgs', int(d, 'max-inflight')),
    ...opt('maxInflightBytes', int(d, 'max-inflight-bytes')),
    ...opt('maxSizePerMsgBytes', int(d, 'max-msg-size')),
    ...opt('maxSnapshotChunkBytes', int(d, 'snapshot-chunk')),
    ...opt('snapshotRetryTicks', int(d, 'snapshot-retry')),
    ...opt('maxCommittedSizePerReadyBytes', int(d, 'max-committed-size')),
  };
  const first = env.nodes.size + 1;
  for (let i = 0; i < n; i++) env.addNode(String(first + i), options, bootstrap);
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** restart <id>: the node loses everything it did not persist and starts again from storage. */
export function restart(env: InteractionEnv, d: Directive): void {
  env.restart(firstPositional(d));
}
