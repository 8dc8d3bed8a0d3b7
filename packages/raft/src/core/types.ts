// The vocabulary of the Raft protocol core. Everything here is plain data so that the core stays a
// deterministic function of its inputs and the driver can serialise any of it.

/** A member's identity. Opaque to the core; the embedding application chooses the format. */
export type NodeId = string;

/** Log positions start at 1; index 0 (term 0) is the empty log's sentinel. */
export type Index = number;
export type Term = number;

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: Term;
  readonly index: Index;
  readonly type: EntryType;
  /** For 'normal': the application's command (empty for the leader's no-op). For 'conf-change': encodeConfChange(). */
  readonly data: Uint8Array;
}

/** One membership step at a time: adding or removing a single member keeps majorities overlapping. */
export type ConfChange =
  | { readonly type: 'add-voter'; readonly nodeId: NodeId }
  | { readonly type: 'add-learner'; readonly nodeId: NodeId }
  | { readonly type: 'remove'; readonly nodeId: NodeId };

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** What must be on disk before any message that depends on it leaves the node. */
export interface HardState {
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly commit: Index;
}

export interface SnapshotMeta {
  readonly index: Index;
  readonly term: Term;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
}

/** Leader → follower: entries after (prevIndex, prevTerm), plus the leader's commit index. */
export interface AppendMessage extends Envelope {
  readonly type: 'append';
  readonly prevIndex: Index;
  readonly prevTerm: Term;
  readonly entries: readonly Entry[];
  readonly commit: Index;
}

/**
 * Follower → leader. On success `index` is the last index now matching the leader. On reject,
 * `index` echoes the rejected prevIndex and the hints let the leader skip a whole conflicting term
 * (fast back-off) instead of probing one index per round trip.
 */
export interface AppendResponse extends Envelope {
  readonly type: 'append-response';
  readonly index: Index;
  readonly reject: boolean;
  readonly rejectHintIndex: Index;
  readonly rejectHintTerm: Term;
}

/** `pre` marks a pre-vote: it asks without disrupting anyone (term is the one it would campaign at). */
export interface VoteMessage extends Envelope {
  readonly type: 'vote';
  readonly pre: boolean;
  readonly lastIndex: Index;
  readonly lastTerm: Term;
  /** Set when campaigning on TimeoutNow; lets the vote pass leader-lease checks. */
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: 'vote-response';
  readonly pre: boolean;
  readonly reject: boolean;
}

/** `context` carries a ReadIndex request id so the heartbeat round doubles as the read's quorum check. */
export interface HeartbeatMessage extends Envelope {
  readonly type: 'heartbeat';
  readonly commit: Index;
  readonly context: string | null;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeat-response';
  readonly context: string | null;
}

/**
 * One chunk of a snapshot. Chunks of one snapshot share meta and are sent in order; `offset` lets the
 * receiver detect a gap and drop the partial snapshot instead of installing garbage.
 */
export interface SnapshotChunkMessage extends Envelope {
  readonly type: 'snapshot';
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

/** Leader → transfer target: campaign now, even before your election timeout. */
export interface TimeoutNowMessage extends Envelope {
  readonly type: 'timeout-now';
}

/** Follower → leader: ask for a read index on behalf of a local linearizable read. */
export interface ReadIndexMessage extends Envelope {
  readonly type: 'read-index';
  readonly context: string;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: 'read-index-response';
  readonly context: string;
  /**
   * The leader's commit index when the read arrived, confirmed by a quorum since. A read the leader
   * cannot serve (it lost leadership meanwhile) gets no answer: the reader times out and retries.
   */
  readonly index: Index;
}

export type Message =
  | AppendMessage
  | AppendResponse
  | VoteMessage
  | VoteResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotChunkMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponse;

export type MessageType = Message['type'];

/** A linearizable read may be served once the local applied index reaches `index`. */
export interface ReadState {
  readonly context: string;
  readonly index: Index;
}

export interface SoftState {
  readonly leader: NodeId | null;
  readonly role: Role;
}

/**
 * Everything the driver must do, in order: persist `hardState`, `entries` and `snapshot` (fsync when
 * `mustSync`), then send `messages`, then apply `snapshot` and `committedEntries`, then call advance().
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly mustSync: boolean;
}
