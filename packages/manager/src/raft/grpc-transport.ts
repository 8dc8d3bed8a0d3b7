// Sends Raft messages to peer managers over gRPC: one long-lived StreamMessages stream per peer, as
// etcd keeps a stream per peer. A batch is one data frame on it, not a call of its own (a unary call
// cost each side ~0.5 ms of CPU in headers, certificate parsing and trailers, and each answer was a
// call back). Ordering within a peer is the stream's; a slow peer never delays the others; batches
// not yet acknowledged are bounded, and behind them a peer's queue loses its oldest messages (Raft
// tolerates loss; it does not tolerate an unbounded queue). A stream whose oldest batch stays
// unacknowledged past the send timeout, or that fails, is dropped and the peer reported unreachable;
// the next send opens a new one.
import * as grpc from '@grpc/grpc-js';
import { RaftClient, type RaftMessageBatch, type SendAck } from '@shoal/proto';
import type { Message } from '@shoal/raft';
import { channelOptions, clientCredentials, type TlsIdentity } from '../rpc/credentials.js';
import { toWire } from './codec.js';

export interface TransportOptions {
  /** Where a peer's gRPC endpoint is (host:port), or undefined when unknown. */
  readonly resolve: (nodeId: string) => string | undefined;
  readonly identity: () => TlsIdentity;
  /** Raft feedback: a peer could not be reached, so the leader probes instead of pipelining. */
  readonly onUnreachable: (nodeId: string) => void;
  readonly onDelivered: (nodeId: string) => void;
  readonly onSnapshotSent: (nodeId: string, ok: boolean) => void;
  /** How long a batch may wait for its acknowledgement before the stream counts as broken; swarmkit uses 2 s per call. Default 2000. */
  readonly sendTimeoutMs?: number;
  /** Queue bound per peer, in messages. Default 4096. */
  readonly maxQueuedMessages?: number;
  /** Batches written to a peer's stream and not yet acknowledged, at most (receivers acknowledge every 32 or 50 ms). Default 256. */
  readonly maxBatchesInFlight?: number;
}

type Stream = grpc.ClientDuplexStream<RaftMessageBatch, SendAck>;

interface InFlight {
  readonly sentMs: number;
  readonly snapshot: boolean;
  /** Holds the last chunk of a snapshot: Raft hears how the snapshot went when this one is acknowledged. */
  readonly snapshotEnd: boolean;
}

interface Peer {
  readonly nodeId: string;
  readonly addr: string;
  readonly client: RaftClient;
  readonly queue: Message[];
  /** Null until the first send, and after the stream broke. */
  stream: Stream | null;
  /** Batches written on `stream`, oldest first; acknowledgements arrive in this order. */
  inFlight: InFlight[];
  timer: NodeJS.Timeout | null;
}

export class GrpcRaftTransport {
  readonly #opts: Required<TransportOptions>;
  readonly #peers = new Map<string, Peer>();
  #closed = false;

  constructor(opts: TransportOptions) {
    this.#opts = { sendTimeoutMs: 2000, maxQueuedMessages: 4096, maxBatchesInFlight: 256, ...opts };
  }

  send(messages: readonly Message[]): void {
    if (this.#closed) return;
    const touched = new Set<Peer>();
    for (const m of messages) {
      const peer = this.#peer(m.to);
      if (!peer) {
        this.#opts.onUnreachable(m.to);
        continue;
      }
      peer.queue.push(m);
      if (peer.queue.length > this.#opts.maxQueuedMessages) peer.queue.shift();
      touched.add(peer);
    }
    for (const peer of touched) this.#flush(peer);
  }

  /** Drops the connection to a peer (removed from the group, or its address changed). */
  forget(nodeId: string): void {
    const peer = this.#peers.get(nodeId);
    if (peer) this.#dispose(peer);
    this.#peers.delete(nodeId);
  }

  close(): void {
    this.#closed = true;
    for (const peer of this.#peers.values()) this.#dispose(peer);
    this.#peers.clear();
  }

  #dispose(peer: Peer): void {
    this.#drop(peer);
    peer.client.close();
  }

  #peer(nodeId: string): Peer | undefined {
    const addr = this.#opts.resolve(nodeId);
    if (!addr) return undefined;
    const existing = this.#peers.get(nodeId);
    if (existing && existing.addr === addr) return existing;
    if (existing) this.#dispose(existing);
    const client = new RaftClient(addr, clientCredentials(this.#opts.identity()), channelOptions());
    const peer: Peer = { nodeId, addr, client, queue: existing?.queue ?? [], stream: null, inFlight: [], timer: null };
    this.#peers.set(nodeId, peer);
    return peer;
  }

  #flush(peer: Peer): void {
    if (peer.queue.length === 0 || peer.inFlight.length >= this.#opts.maxBatchesInFlight) return;
    const stream = peer.stream ?? this.#open(peer);
    const batch = peer.queue.splice(0, peer.queue.length);
    const snapshotEnd = batch.some((m) => m.type === 'snapshot' && m.offset + m.data.byteLength >= m.totalBytes);
    peer.inFlight.push({ sentMs: Date.now(), snapshot: snapshotEnd || batch.some((m) => m.type === 'snapshot'), snapshotEnd });
    stream.write({ messages: batch.map(toWire) });
    if (peer.timer === null) this.#arm(peer);
  }

  #open(peer: Peer): Stream {
    const stream = peer.client.streamMessages(new grpc.Metadata());
    peer.stream = stream;
    stream.on('data', (ack: SendAck) => {
      if (peer.stream === stream) this.#acknowledged(peer, ack.batches);
    });
    // 'error' carries a failed status; 'end' a stream the receiver closed. Either way it is done.
    stream.on('error', () => this.#broken(peer, stream));
    stream.on('end', () => this.#broken(peer, stream));
    return stream;
  }

  #acknowledged(peer: Peer, batches: number): void {
    for (const done of peer.inFlight.splice(0, batches)) if (done.snapshotEnd) this.#opts.onSnapshotSent(peer.nodeId, true);
    this.#opts.onDelivered(peer.nodeId);
    if (peer.timer !== null) clearTimeout(peer.timer);
    peer.timer = null;
    if (peer.inFlight.length > 0) this.#arm(peer);
    this.#flush(peer);
  }

  /** Fires when the oldest batch in flight has waited the send timeout; acknowledgements re-arm it. */
  #arm(peer: Peer): void {
    const oldest = peer.inFlight[0];
    if (oldest === undefined) return;
    const stream = peer.stream;
    const waitMs = Math.max(0, oldest.sentMs + this.#opts.sendTimeoutMs - Date.now());
    peer.timer = setTimeout(() => {
      peer.timer = null;
      if (stream !== null) this.#broken(peer, stream);
    }, waitMs);
    peer.timer.unref();
  }

  #broken(peer: Peer, stream: Stream): void {
    if (peer.stream !== stream || this.#closed) return;
    const lost = this.#drop(peer);
    if (lost.some((b) => b.snapshot)) this.#opts.onSnapshotSent(peer.nodeId, false);
    this.#opts.onUnreachable(peer.nodeId);
    if (this.#peers.get(peer.nodeId) === peer) this.#flush(peer);
  }

  /** Ends the peer's stream; returns the batches it never acknowledged. */
  #drop(peer: Peer): InFlight[] {
    const stream = peer.stream;
    const lost = peer.inFlight;
    peer.stream = null;
    peer.inFlight = [];
    if (peer.timer !== null) clearTimeout(peer.timer);
    peer.timer = null;
    stream?.cancel();
    return lost;
  }
}
