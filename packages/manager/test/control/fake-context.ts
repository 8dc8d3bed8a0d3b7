// A ControlContext over a real MemoryStore whose commits apply at once (no Raft), and a Raft
// membership the test sets directly. Commit refusals become ControlErrors as Manager.commit makes them.
import type { RootCa } from '../../src/ca/index.js';
import { generateJoinToken } from '../../src/ca/index.js';
import type { ControlContext, RaftMember, RaftMembership } from '../../src/control/context.js';
import { defaultClusterSpec } from '../../src/control/defaults.js';
import { ControlError, refusalError } from '../../src/control/errors.js';
import { newId } from '../../src/ids/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { ClusterObject, NodeObject, NodeSpec } from '../../src/store/objects.js';
import type { Action } from '../../src/store/transaction.js';

export const TIME = '2030-01-15T12:00:00.000Z';

export class FakeRaft implements RaftMembership {
  leaderId: string | null = null;
  memberList: RaftMember[] = [];
  readonly added: string[] = [];
  readonly removed: string[] = [];

  members(): readonly RaftMember[] {
    return this.memberList;
  }
  async addMember(nodeId: string): Promise<void> {
    this.added.push(nodeId);
    this.memberList = [...this.memberList, { nodeId, reachable: true }];
  }
  async removeMember(nodeId: string): Promise<void> {
    this.removed.push(nodeId);
    this.memberList = this.memberList.filter((m) => m.nodeId !== nodeId);
  }
}

export class FakeControl {
  readonly store = new MemoryStore();
  readonly raft = new FakeRaft();
  #index = 0;

  readonly ctx: ControlContext = {
    view: this.store,
    raft: this.raft,
    commit: async (actions) => this.commit(actions),
    now: () => TIME,
    newId: () => newId(),
  };

  commit(actions: readonly Action[]): void {
    const result = this.store.apply(++this.#index, { actions, time: TIME });
    if (!result.ok) throw refusalError(result.refusal);
  }

  /** Creates the cluster object as `swarm init` does and returns it as stored. */
  addCluster(ca: RootCa): ClusterObject {
    const id = newId();
    this.commit([
      {
        op: 'create',
        table: 'cluster',
        object: {
          ID: id,
          Spec: defaultClusterSpec,
          DefaultAddrPool: ['10.0.0.0/8'],
          SubnetSize: 24,
          DataPathPort: 4789,
          JoinTokens: { Worker: generateJoinToken(ca.certPem), Manager: generateJoinToken(ca.certPem) },
          RootCA: { CertPem: ca.certPem, KeyPem: ca.keyPem },
        },
      },
    ]);
    return this.store.get('cluster', id)!;
  }

  /** Creates a node and returns it as stored. */
  addNode(init: {
    id?: string;
    hostname: string;
    role?: NodeSpec['Role'];
    name?: string;
    labels?: Record<string, string>;
    engineLabels?: Record<string, string>;
    state?: NodeObject['Status']['State'];
    managerAddr?: string;
    platform?: { OS: string; Architecture: string };
  }): NodeObject {
    const id = init.id ?? newId();
    const role = init.role ?? 'worker';
    this.commit([
      {
        op: 'create',
        table: 'node',
        object: {
          ID: id,
          Spec: { ...(init.name ? { Name: init.name } : {}), Labels: init.labels ?? {}, Role: role, Availability: 'active' },
          Description: {
            Hostname: init.hostname,
            ...(init.engineLabels ? { Engine: { Labels: init.engineLabels } } : {}),
            ...(init.platform ? { Platform: init.platform } : {}),
          },
          Status: { State: init.state ?? 'ready', Addr: '10.0.0.1' },
          ...(role === 'manager' ? { ManagerStatus: { Addr: init.managerAddr ?? '10.0.0.1:2377' } } : {}),
        },
      },
    ]);
    return this.store.get('node', id)!;
  }

  /** Makes these nodes the Raft voters (reachable unless listed in `unreachable`), the first one leading. */
  setMembers(ids: readonly string[], unreachable: readonly string[] = []): void {
    this.raft.memberList = ids.map((nodeId) => ({ nodeId, reachable: !unreachable.includes(nodeId) }));
    this.raft.leaderId = ids[0] ?? null;
  }
}

/** Asserts that `run` rejects with a ControlError of this code and message. */
export function controlError(code: ControlError['code'], message: string | RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    if (!(err instanceof ControlError)) throw new Error(`expected a ControlError, got ${String(err)}`);
    if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`);
    const ok = typeof message === 'string' ? err.message === message : message.test(err.message);
    if (!ok) throw new Error(`unexpected message: ${err.message}`);
    return true;
  };
}
