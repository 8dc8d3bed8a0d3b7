// The Raft state machine of one node (like etcd's raft.go): terms, roles and the dispatch of every
// input. The per-role protocol lives in election.ts, follower.ts, leader.ts and replication.ts.
import { hup, handleVoteRequest, stepCandidate } from './election.js';
import { invariant } from './errors.js';
import { stepFollower } from './follower.js';
import { checkQuorum, retryLostSnapshots, stepLeader } from './leader.js';
import { RaftLog } from './log.js';
import { logRemovesSelf } from './membership.js';
import type { CompiledRaftOptions, RaftLogger } from './options.js';
import { ReadOnly, type ReadRequest } from './read-only.js';
import { bcastHeartbeat } from './replication.js';
import type { SnapshotAssembly } from './snapshot-chunks.js';
import { ProgressTracker } from './tracker.js';
import type { ConfState, Entry, EntryType, HardState, Index, Message, NodeId, ReadState, Role, SoftState, Term } from './types.js';

/** A message the node is about to send, before the envelope's sender is filled in. */
type WithoutSender<M> = M extends Message ? Omit<M, 'from'> : never;
export type Outgoing = WithoutSender<Message>;

export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly logger: RaftLogger;
  /** Never decreases. */
  term: Term = 0;
  /** Whom this node voted for in `term`; set at most once per term. */
  vote: NodeId | null = null;
  lead: NodeId | null = null;
  role: Role = 'follower';
  isLearner = false;
  /** Outputs collected for the next Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Leader only: the voter leadership is being handed to; proposals are refused meanwhile. */
  leadTransferee: NodeId | null = null;
  /** Leader only: index of the last proposed conf change; a new one waits until this is applied. */
  pendingConfIndex: Index = 0;
  /**
   * Leader only: its own removal is in the log. It takes no more proposals, so that its log ends at
   * the removal: the remaining voters, which may still need its vote under the old configuration,
   * must find their logs as up to date as its own to elect a successor once it steps down.
   */
  removingSelf = false;
  readOnly = new ReadOnly();
  /** Leader only: reads that wait for the first commit of this term. */
  pendingReads: ReadRequest[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** Follower only: chunks of a snapshot being received. */
  incomingSnapshot: SnapshotAssembly | null = null;

  constructor(readonly cfg: CompiledRaftOptions) {
    this.id = cfg.id;
    this.logger = cfg.logger;
    this.log = new RaftLog(cfg.storage, cfg.maxCommittedSizePerReadyBytes);
    this.tracker = new ProgressTracker(cfg.maxInflightMsgs, cfg.maxInflightBytes);
    const { hardState, confState } = cfg.storage.initialState();
    this.loadConfState(confState);
    this.loadHardState(hardState);
    if (cfg.applied > 0) this.log.appliedTo(cfg.applied);
    this.becomeFollower(this.term, null);
  }

  softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** Whether this node may campaign: a voter with no snapshot waiting to be applied. */
  promotable(): boolean {
    return this.tracker.voters.has(this.id) && this.log.unstable.snapshot === null;
  }

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  step(m: Message): void {
    if (m.to !== this.id) {
      this.logger.warn(`${this.id} ignored a ${m.type} addressed to ${m.to}`);
      return;
    }
    if (m.term > this.term && !this.stepHigherTerm(m)) return;
    if (m.term < this.term) {
      this.stepLowerTerm(m);
      return;
    }
    if (m.type === 'vote') handleVoteRequest(this, m);
    else if (this.role === 'leader') stepLeader(this, m);
    else if (this.role === 'follower') stepFollower(this, m);
    else stepCandidate(this, m);
  }

  send(m: Outgoing): void {
    invariant(m.to !== this.id, () => `${this.id} sending a ${m.type} to itself`);
    this.msgs.push({ ...m, from: this.id } as Message);
  }

  becomeFollower(term: Term, lead: NodeId | null): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.logger.info(`${this.id} became follower at term ${term}`);
  }

  /**
   * The embedding application learned that the leader is gone (e.g. its endpoint refuses
   * connections): stop honouring its lease, so that this follower grants votes to a successor now
   * rather than after an election timeout. Safety does not depend on it; only liveness does.
   */
  forgetLeader(): void {
    if (this.role !== 'follower' || this.lead === null) return;
    this.logger.info(`${this.id} forgot leader ${this.lead} at term ${this.term}`);
    this.lead = null;
  }

  becomePreCandidate(): void {
    invariant(this.role !== 'leader', () => `${this.id} cannot become pre-candidate while leader`);
    // A pre-campaign changes neither term nor vote: that is the point of pre-vote.
    this.tracker.votes.clear();
    this.lead = null;
    this.role = 'pre-candidate';
    this.logger.info(`${this.id} became pre-candidate at term ${this.term}`);
  }

  becomeCandidate(): void {
    invariant(this.role !== 'leader', () => `${this.id} cannot become candidate while leader`);
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.logger.info(`${this.id} became candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    invariant(this.role === 'candidate', () => `${this.id} cannot become leader from ${this.role}`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id)!;
    self.becomeReplicate();
    self.recentActive = true;
    // Entries before our first one may hold an unapplied conf change: no new one until they are applied.
    this.pendingConfIndex = this.log.lastIndex();
    this.removingSelf = logRemovesSelf(this);
    // Committing an entry of our own term commits everything before it (Raft §5.4.2).
    this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
    this.logger.info(`${this.id} became leader at term ${this.term}`);
  }

  /** Leader: appends new entries at the current term; returns the last index. */
  appendEntries(entries: ReadonlyArray<{ type: EntryType; data: Uint8Array }>): Index {
    const after = this.log.lastIndex();
    const stamped: Entry[] = entries.map((e, i) => ({ term: this.term, index: after + 1 + i, type: e.type, data: e.data }));
    const last = this.log.append(stamped);
    this.tracker.progress.get(this.id)?.maybeUpdate(last);
    this.maybeCommit();
    return last;
  }

  /** Leader: advances the commit index to what a majority has, if that is an entry of this term. */
  maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committedIndex(), this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  /** Replaces the membership wholesale (start-up, snapshot install). */
  loadConfState(cs: ConfState): void {
    for (const id of this.tracker.memberIds()) this.tracker.remove(id);
    const next = this.log.lastIndex() + 1;
    for (const id of cs.voters) this.tracker.addVoter(id, next);
    for (const id of cs.learners) this.tracker.addLearner(id, next);
    this.isLearner = this.tracker.learners.has(this.id);
  }

  resetRandomizedElectionTimeout(): void {
    const e = this.cfg.electionTicks;
    this.randomizedElectionTimeout = e + Math.min(e - 1, Math.floor(this.cfg.random() * e));
  }

  private loadHardState(hs: HardState): void {
    if (hs.term === 0 && hs.vote === null && hs.commit === 0) return;
    invariant(hs.commit >= this.log.committed && hs.commit <= this.log.lastIndex(), () =>
      `stored commit ${hs.commit} outside [${this.log.committed}, ${this.log.lastIndex()}]`);
    this.log.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  private reset(term: Term): void {
    invariant(term >= this.term, () => `${this.id} term going backwards from ${this.term} to ${term}`);
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = null;
    this.tracker.votes.clear();
    this.tracker.resetProgress(this.log.lastIndex() + 1);
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined) self.match = this.log.lastIndex();
    this.pendingConfIndex = 0;
    this.removingSelf = false;
    this.readOnly = new ReadOnly();
    this.pendingReads = [];
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      hup(this, this.cfg.preVote ? 'pre-election' : 'election');
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) checkQuorum(this);
      if (this.role !== 'leader') return;
      if (this.leadTransferee !== null) {
        this.logger.info(`${this.id} aborted leadership transfer to ${this.leadTransferee}: timed out`);
        this.leadTransferee = null;
      }
    }
    retryLostSnapshots(this);
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this, this.readOnly.lastPendingContext());
    }
  }

  /** A message from a later term; returns false if it is to be ignored. */
  private stepHigherTerm(m: Message): boolean {
    if (m.type === 'vote') {
      // Leader lease: while we hear from a leader, a vote request is someone disrupting, not a need.
      const inLease = this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTicks;
      if (inLease && !m.transfer) {
        this.logger.info(`${this.id} ignored ${m.pre ? 'pre-vote' : 'vote'} from ${m.from} at term ${m.term}: leader lease`);
        return false;
      }
      if (m.pre) return true; // a pre-vote never changes our term
    }
    if (m.type === 'vote-response' && m.pre && !m.reject) return true; // the term we would campaign at
    const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
    this.becomeFollower(m.term, fromLeader ? m.from : null);
    return true;
  }

  private stepLowerTerm(m: Message): void {
    if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
      // A stale leader, perhaps cut off while we elected another: our term makes it step down.
      // (With check-quorum or pre-vote, our higher term cannot reach it through a vote request.)
      this.send({ type: 'append-response', to: m.from, term: this.term, index: 0, reject: false, rejectHintIndex: 0, rejectHintTerm: 0 });
    } else if (m.type === 'vote' && m.pre) {
      this.send({ type: 'vote-response', to: m.from, term: this.term, pre: true, reject: true });
    }
  }
}
