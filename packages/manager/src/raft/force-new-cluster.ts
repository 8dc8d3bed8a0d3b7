// `swarm init --force-new-cluster`: turn this manager's durable Raft state into a one-member cluster
// that keeps every object (services, networks, workers). Like etcd's force-new-cluster, every entry in
// the local log counts as committed: the entries of acknowledged writes are in this log whenever this
// manager was part of the majority that acknowledged them.
import { LevelLogStore } from '@shoal/raft';
import { MemoryStore } from '../store/memory-store.js';
import { StoreStateMachine } from '../store/state-machine.js';

export async function forceNewCluster(raftDir: string, nodeId: string): Promise<{ index: number }> {
  const log = await LevelLogStore.open(raftDir);
  try {
    const durable = await log.load();
    const store = new MemoryStore();
    if (durable.snapshot) store.restore(durable.snapshot.data);
    const after = durable.entries.filter((e) => e.index > store.appliedIndex);
    new StoreStateMachine(store).apply(after);
    const last = durable.entries.at(-1);
    const index = Math.max(last?.index ?? 0, durable.snapshot?.meta.index ?? 0);
    const term = Math.max(last?.term ?? 0, durable.snapshot?.meta.term ?? 0, durable.hardState.term);
    const snapshot = { meta: { index, term, confState: { voters: [nodeId], learners: [] } }, data: store.snapshot() };
    await log.save({ snapshot, hardState: { term, vote: null, commit: index }, entries: [] }, { sync: true });
    return { index };
  } finally {
    await log.close();
  }
}
