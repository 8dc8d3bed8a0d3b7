// A manager: the replicated store on Raft, the control operations that change it, and the gRPC
// endpoint on 2377 through which other nodes reach it. Writes and reads run on the leader; a follower
// forwards them, so every manager answers the same thing.
import * as grpc from '@grpc/grpc-js';
import { ControlClient, type ControlResponse } from '@shoal/proto';
import { NotLeaderError, RaftNode, type Message, type RaftNodeOptions } from '@shoal/raft';
import { newId } from './ids/index.js';
import type { ControlContext, RaftMember, RaftMembership } from './control/context.js';
import { ControlError, noLeaderMessage, refusalError } from './control/errors.js';
import { runOperation } from './control/registry.js';
import { GrpcRaftTransport } from './raft/grpc-transport.js';
import { channelOptions, ClusterServerCredentials, clientCredentials, type TlsIdentity } from './rpc/credentials.js';
import { memoizePeerCertificates } from './rpc/peer-certificate-memo.js';
import type { AuthPolicy } from './rpc/peer-auth.js';
import { addManagerServices } from './services/index.js';
import { MemoryStore, type ApplyResult } from './store/memory-store.js';
import { StoreStateMachine } from './store/state-machine.js';
import { encodeTransaction, type Action } from './store/transaction.js';
import { PeerReachability } from './raft/reachability.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { LeaderProbe } from './raft/leader-probe.js';
import { seats } from './control/membership-ops.js';
import { LeaderLoops } from './orchestrator/leader-loops.js';
import { LogBroker, type LogSelector, type LogSink } from './control/service-logs.js';
import { subscribeThroughLeader } from './control/service-logs-rpc.js';

/** Spread of the followers' campaigns after the leader's endpoint vanished (see RaftNode.leaderGone). */
const LEADER_GONE_JITTER_MS = 300;

export interface ManagerConfig {
  readonly nodeId: string;
  readonly clusterId: string;
  /** Directory of the Raft log (LevelDB). */
  readonly raftDir: string;
  /** host:port the gRPC server binds. */
  readonly listenAddr: string;
  readonly identity: () => TlsIdentity;
  /** A brand-new cluster: this manager is its only member. */
  readonly bootstrap: boolean;
  /** Addresses of managers known before the store has caught up (joining, or from the node's state file). */
  readonly seedPeers: ReadonlyMap<string, string>;
  readonly raftOptions?: RaftNodeOptions;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class Manager {
  readonly store = new MemoryStore();
  readonly #config: ManagerConfig;
  readonly #reachability = new PeerReachability();
  readonly #seeds: Map<string, string>;
  #raft!: RaftNode<ApplyResult>;
  #dispatcher!: Dispatcher;
  readonly #logs = new LogBroker(this.store, newId);
  #loops!: LeaderLoops;
  #probe!: LeaderProbe;
  readonly #lastHeardMs = new Map<string, number>();
  /** The term in which this manager leads, or null; see runLocally. */
  #leaderTerm: number | null = null;
  #confirmedTerm: number | null = null;
  #transport!: GrpcRaftTransport;
  #server!: grpc.Server;
  #credentials!: ClusterServerCredentials;
  #leaderClients = new Map<string, ControlClient>();
  #stopping: Promise<void> | null = null;

  private constructor(config: ManagerConfig) {
    this.#config = config;
    this.#seeds = new Map(config.seedPeers);
  }

  /** Learns where a manager listens before the replicated store says so (e.g. from a Join answer). */
  addSeed(nodeId: string, addr: string): void {
    this.#seeds.set(nodeId, addr);
  }

  static async start(config: ManagerConfig): Promise<Manager> {
    const manager = new Manager(config);
    await manager.#start();
    return manager;
  }

  get nodeId(): string {
    return this.#config.nodeId;
  }

  get raft(): RaftNode<ApplyResult> {
    return this.#raft;
  }

  get dispatcher(): Dispatcher {
    return this.#dispatcher;
  }

  /** The log broker while this manager leads (agents hold their sessions with the leader). */
  logBroker(): LogBroker | null {
    return this.#raft.leaderId === this.#config.nodeId ? this.#logs : null;
  }

  /** Logs of services or tasks, gathered by the leader; the returned function cancels. */
  subscribeLogs(selector: LogSelector, sink: LogSink): () => void {
    const broker = this.logBroker();
    if (broker) return broker.subscribe(selector, sink);
    const addr = this.leaderAddr;
    if (!addr) throw new ControlError('unavailable', noLeaderMessage);
    return subscribeThroughLeader(addr, clientCredentials(this.#config.identity()), channelOptions(), selector, sink);
  }

  /** Where a manager's gRPC endpoint is: from the store once replicated, else from the seeds. */
  resolve(nodeId: string): string | undefined {
    return this.store.get('node', nodeId)?.ManagerStatus?.Addr ?? this.#seeds.get(nodeId);
  }

  get leaderAddr(): string | undefined {
    const leader = this.#raft.leaderId;
    return leader ? this.resolve(leader) : undefined;
  }

  /** The live Raft view control operations see (MANAGER STATUS, quorum checks). */
  get membership(): RaftMembership {
    const raft = this.#raft;
    return {
      get leaderId() {
        return raft.leaderId;
      },
      members: () => this.#members(),
      addMember: async (id) => {
        await raft.proposeConfChange({ type: 'add-voter', nodeId: id });
      },
      removeMember: async (id) => {
        await raft.proposeConfChange({ type: 'remove', nodeId: id });
      },
    };
  }

  async #start(): Promise<void> {
    const config = this.#config;
    this.#transport = new GrpcRaftTransport({
      resolve: (id) => this.resolve(id),
      identity: config.identity,
      onUnreachable: (id) => this.#reachability.failed(id),
      onDelivered: (id) => this.#reachability.delivered(id),
      onSnapshotSent: () => {},
    });
    this.#loops = new LeaderLoops({
      store: this.store,
      commit: (actions) => this.commit(actions),
      newId,
      nowMs: () => Date.now(),
      readIndex: () => this.#raft.readIndex(),
      log: config.log,
    });
    this.#raft = await RaftNode.start<ApplyResult>(
      {
        id: config.nodeId,
        dir: config.raftDir,
        transport: this.#transport,
        stateMachine: new StoreStateMachine(this.store),
        ...(config.bootstrap ? { peers: [config.nodeId] } : {}),
      },
      {
        ...config.raftOptions,
        onFatal: (err) => config.log('error', 'raft node failed', { err: String(err) }),
        onLeaderChange: (leader, term) => {
          config.log('info', 'raft leader changed', { leader: leader ?? 'none', term });
          this.#leaderTerm = leader === config.nodeId ? term : null;
          this.#loops.leaderChanged(leader === config.nodeId);
        },
      },
    );
    const tickMs = config.raftOptions?.tickMs ?? 100;
    this.#probe = new LeaderProbe({
      silenceMs: 3 * tickMs,
      intervalMs: tickMs,
      self: config.nodeId,
      leader: () => this.#raft.leaderId,
      leaderAddr: () => this.leaderAddr,
      lastHeardMs: (id) => this.#lastHeardMs.get(id) ?? 0,
      onRefused: (leader) => {
        config.log('warn', 'the leader refuses connections; campaigning early', { leader });
        this.#raft.leaderGone(leader, LEADER_GONE_JITTER_MS);
      },
    });
    this.#dispatcher = new Dispatcher({
      store: this.store,
      nodeId: config.nodeId,
      isLeader: () => this.#raft.leaderId === config.nodeId,
      leaderAddr: () => this.leaderAddr,
      commit: (actions) => this.commit(actions),
      managerPeers: () => seats(this.#context()),
      managerUnreachable: (id) => this.#members().some((m) => m.nodeId === id && !m.reachable),
      log: config.log,
    });
    this.#loops.leaderChanged(this.#raft.leaderId === config.nodeId);
    this.#credentials = new ClusterServerCredentials(config.identity());
    memoizePeerCertificates();
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    addManagerServices(this.#server, this, this.authPolicy());
    await new Promise<void>((resolve, reject) =>
      this.#server.bindAsync(config.listenAddr, this.#credentials, (err) => (err ? reject(err) : resolve())),
    );
  }

  authPolicy(): AuthPolicy {
    return {
      rootCaPem: () => this.#config.identity().rootCaPem,
      clusterId: () => this.#config.clusterId,
      nodeExists: (id) => this.store.get('node', id) !== undefined || this.#seeds.has(id),
      now: () => Date.now(),
    };
  }

  /** Delivers a Raft message from a peer, noting when each peer was last heard from. */
  receive(message: Message): void {
    this.#lastHeardMs.set(message.from, Date.now());
    this.#raft.step(message);
  }

  /** New key and certificate after renewal: new connections present them. */
  replaceIdentity(identity: TlsIdentity): void {
    this.#credentials.replace(identity);
  }

  #members(): RaftMember[] {
    const conf = this.#raft.membership;
    return conf.voters.map((id) => ({ nodeId: id, reachable: id === this.#config.nodeId || this.#reachability.isReachable(id) }));
  }

  /** Runs a control operation on the leader, forwarding it there when this manager is a follower. */
  async call(method: string, payload: unknown): Promise<unknown> {
    const leader = this.#raft.leaderId;
    if (leader === this.#config.nodeId) return this.runLocally(method, payload);
    if (leader === null) throw new ControlError('unavailable', noLeaderMessage);
    const addr = this.resolve(leader);
    if (!addr) throw new ControlError('unavailable', noLeaderMessage);
    return this.#forward(addr, method, payload);
  }

  /** Executes an operation here; only valid on the leader (the Control service calls it for followers). */
  async runLocally(method: string, payload: unknown): Promise<unknown> {
    const term = this.#leaderTerm;
    if (term === null) throw new ControlError('unavailable', noLeaderMessage);
    // A new leader's store may lag until it has committed in its term: one ReadIndex round per term
    // proves that. After it, reads are served from the leader's store while it leads, as swarmkit does;
    // check-quorum bounds how long a deposed leader could believe otherwise.
    if (this.#confirmedTerm !== term) {
      try {
        await this.#raft.readIndex();
      } catch (err) {
        throw new ControlError('unavailable', noLeaderMessage, { cause: err });
      }
      if (this.#leaderTerm === term) this.#confirmedTerm = term;
    }
    if (this.#leaderTerm !== term) throw new ControlError('unavailable', noLeaderMessage);
    return runOperation(this.#context(), method, payload);
  }

  #context(): ControlContext {
    return {
      view: this.store,
      raft: this.membership,
      commit: (actions) => this.commit(actions),
      now: () => new Date().toISOString(),
      newId,
    };
  }

  /** Proposes a transaction and waits until it is applied here; a store refusal becomes a ControlError. */
  async commit(actions: readonly Action[]): Promise<void> {
    let result: ApplyResult;
    try {
      result = await this.#raft.propose(encodeTransaction({ actions, time: new Date().toISOString() }));
    } catch (err) {
      if (err instanceof NotLeaderError) throw new ControlError('unavailable', noLeaderMessage, { cause: err });
      throw new ControlError('unavailable', `the write could not be committed: ${(err as Error).message}`, { cause: err });
    }
    if (!result.ok) throw refusalError(result.refusal);
  }

  async #forward(addr: string, method: string, payload: unknown): Promise<unknown> {
    let client = this.#leaderClients.get(addr);
    if (!client) {
      client = new ControlClient(addr, clientCredentials(this.#config.identity()), channelOptions());
      this.#leaderClients.set(addr, client);
    }
    const request = { method, payloadJson: Buffer.from(JSON.stringify(payload ?? null)) };
    const response = await new Promise<ControlResponse>((resolve, reject) =>
      client.call(request, new grpc.Metadata(), { deadline: new Date(Date.now() + 15_000) }, (err, res) => (err ? reject(err) : resolve(res))),
    ).catch((err: grpc.ServiceError) => {
      throw new ControlError('unavailable', `${noLeaderMessage} (${err.details ?? err.message})`, { cause: err });
    });
    const outcome = response.outcome;
    if (outcome?.$case === 'error') throw new ControlError(outcome.value.code as ControlError['code'], outcome.value.message);
    if (outcome?.$case === 'resultJson') return JSON.parse(Buffer.from(outcome.value).toString('utf8'));
    return null;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#probe.stop();
      this.#dispatcher.stop();
      this.#logs.stop();
      await this.#loops.stop();
      this.#server.forceShutdown();
      for (const client of this.#leaderClients.values()) client.close();
      this.#transport.close();
      await this.#raft.stop();
    })();
    return this.#stopping;
  }
}
