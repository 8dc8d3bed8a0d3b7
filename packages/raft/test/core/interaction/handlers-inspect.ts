// Commands that print state without changing it.
import { describeEntry } from '../../../src/core/describe.js';
import type { Directive } from '../datadriven.js';
import { firstPositional, idsOrAll } from './args.js';
import type { InteractionEnv } from './env.js';

/** raft-state [ids...]: role, membership, term, leader, commit and applied index per node. */
export function raftState(env: InteractionEnv, d: Directive): void {
  for (const id of idsOrAll(d, env.ids())) {
    const s = env.node(id).raw.status();
    const member = s.config.voters.includes(id) ? 'voter' : s.config.learners.includes(id) ? 'learner' : 'non-member';
    env.print(`${id}: ${s.role} (${member}) Term:${s.term} Lead:${s.leader ?? '-'} Commit:${s.commit} Applied:${s.applied}`);
  }
}

/** raft-log <id>: the entries in the node's storage. */
export function raftLog(env: InteractionEnv, d: Directive): void {
  const { storage } = env.node(firstPositional(d));
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  if (last < first) {
    env.print(`log is empty: first index=${first}, last index=${last}`);
    return;
  }
  for (const e of storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) env.print(describeEntry(e));
}

/** status <id>: the leader's view of each member's progress; the configuration elsewhere. */
export function status(env: InteractionEnv, d: Directive): void {
  const s = env.node(firstPositional(d)).raw.status();
  env.print(`config: voters=(${s.config.voters.join(' ')}) learners=(${s.config.learners.join(' ')})`);
  for (const [id, pr] of Object.entries(s.progress)) {
    const flags = [
      pr.isLearner ? 'learner' : '',
      pr.paused ? 'paused' : '',
      pr.pendingSnapshot > 0 ? `pendingSnapshot=${pr.pendingSnapshot}` : '',
      pr.inflightMsgs > 0 ? `inflight=${pr.inflightMsgs}` : '',
      pr.recentActive ? '' : 'inactive',
    ].filter((f) => f !== '');
    env.print(`${id}: ${pr.state} match=${pr.match} next=${pr.next}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`);
  }
}

/** app-state [ids...]: what each node's state machine has applied. */
export function appState(env: InteractionEnv, d: Directive): void {
  for (const id of idsOrAll(d, env.ids())) {
    const node = env.node(id);
    env.print(`${id}: applied=${node.applied} state=[${node.state.map((s) => s.value).join(' ')}]`);
  }
}

/** log-level info|none: whether the nodes' log lines appear in the trace. */
export function logLevel(env: InteractionEnv, d: Directive): void {
  env.logging = firstPositional(d) !== 'none';
}
