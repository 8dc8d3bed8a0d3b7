// Sends Raft messages to peer managers over gRPC. One queue and at most one call in flight per peer:
// ordering within a peer is kept, a slow peer never delays the others, and a peer that cannot keep up
// loses its oldest queued messages (Raft tolerates loss; it does not tolerate an unbounded queue).
import * as grpc from '@grpc/grpc-js';
import { RaftClient, type RaftMessageBatch } from '@shoal/proto';
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
  /** Deadline of one call; swarmkit uses 2 s. Default 2000. */
  readonly sendTimeoutMs?: number;
  /** Queue bound per peer, in messages. Default 4096. */
  readonly maxQueuedMessages?: number;
}

interface Peer {
  addr: string;
  client: RaftClient;
  queue: Message[];
  busy: boolean;
}

export class GrpcRaftTransport {
  readonly #opts: Required<TransportOptions>;
  readonly #peers = new Map<string, Peer>();
  #closed = false;

  constructor(opts: TransportOptions) {
    this.#opts = { sendTimeoutMs: 2000, maxQueuedMessages: 4096, ...opts };
  }

  send(messages: readonly Message[]): void {
    if (this.#closed) return;
    for (const m of messages) {
      const peer = this.#peer(m.to);
      if (!peer) {
        this.#opts.onUnreachable(m.to);
        continue;
      }
      peer.queue.push(m);
      if (peer.queue.length > this.#opts.maxQueuedMessages) peer.queue.shift();
    }
    for (const [id, peer] of this.#peers) if (!peer.busy && peer.queue.length > 0) this.#flush(id, peer);
  }

  /** Drops the connection to a peer (removed from the group, or its address changed). */
  forget(nodeId: string): void {
    this.#peers.get(nodeId)?.client.close();
    this.#peers.delete(nodeId);
  }

  close(): void {
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.client.close();
    this.#peers.clear();
  }

  #peer(nodeId: string): Peer | undefined {
    const addr = this.#opts.resolve(nodeId);
    if (!addr) return undefined;
    const existing = this.#peers.get(nodeId);
    if (existing && existing.addr === addr) return existing;
    existing?.client.close();
    const client = new RaftClient(addr, clientCredentials(this.#opts.identity()), channelOptions());
    const peer: Peer = { addr, client, queue: existing?.queue ?? [], busy: false };
    this.#peers.set(nodeId, peer);
    return peer;
  }

  #flush(nodeId: string, peer: Peer): void {
    const batch = peer.queue.splice(0, peer.queue.length);
    peer.busy = true;
    const request: RaftMessageBatch = { messages: batch.map(toWire) };
    const deadline = new Date(Date.now() + this.#opts.sendTimeoutMs);
    peer.client.sendMessages(request, new grpc.Metadata(), { deadline }, (err) => {
      peer.busy = false;
      if (err) this.#opts.onUnreachable(nodeId);
      else this.#opts.onDelivered(nodeId);
      // Raft waits to hear how a snapshot went only once its last chunk left (or any chunk failed).
      const lastChunk = batch.some((m) => m.type === 'snapshot' && m.offset + m.data.byteLength >= m.totalBytes);
      if (lastChunk || (err && batch.some((m) => m.type === 'snapshot'))) this.#opts.onSnapshotSent(nodeId, !err);
      if (!this.#closed && this.#peers.get(nodeId) === peer && peer.queue.length > 0) this.#flush(nodeId, peer);
    });
  }
}
