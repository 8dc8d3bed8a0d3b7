// The simulated network between Raft nodes: it drops, delays, reorders and duplicates messages,
// and blocks links during partitions. A link is directed, so asymmetric partitions (a hears b, b
// does not hear a) are expressible; a message is checked against the links both when sent and
// when due, so a partition also eats what was in flight.

import type { Message, NodeId } from '../../src/core/types.js';
import { TimedHeap } from './heap.js';
import type { SimOptions } from './options.js';
import type { Prng } from './prng.js';

interface InFlight {
  readonly atMs: number;
  readonly seq: number;
  readonly message: Message;
}

export type PartitionKind = 'symmetric' | 'asymmetric' | 'isolate-leader';

export interface Partition {
  readonly kind: PartitionKind;
  readonly description: string;
  readonly healAtMs: number;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export class SimNetwork {
  private readonly queue = new TimedHeap<InFlight>();
  private seq = 0;
  /** Directed links that are down, as "from>to". */
  private readonly blocked = new Set<string>();
  partition: Partition | null = null;
  /** Once calm, the network stops dropping, duplicating and reordering (the quiescent period). */
  private calm = false;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(
    private readonly rng: Prng,
    private readonly options: SimOptions,
  ) {}

  send(message: Message, nowMs: number): void {
    this.stats.sent++;
    if (!this.linkUp(message.from, message.to) || (!this.calm && this.rng.chance(this.options.dropProbability))) {
      this.stats.dropped++;
      return;
    }
    this.enqueue(message, nowMs);
    if (!this.calm && this.rng.chance(this.options.duplicateProbability)) {
      this.stats.duplicated++;
      this.enqueue(message, nowMs);
    }
  }

  /** The next message due at nowMs whose link is still up; messages on cut links are dropped. */
  nextDue(nowMs: number): Message | undefined {
    for (;;) {
      const item = this.queue.popDue(nowMs);
      if (item === undefined) return undefined;
      if (this.linkUp(item.message.from, item.message.to)) {
        this.stats.delivered++;
        return item.message;
      }
      this.stats.dropped++;
    }
  }

  linkUp(from: NodeId, to: NodeId): boolean {
    return !this.blocked.has(`${from}>${to}`);
  }

  /** Cuts every link between the two groups, both directions. */
  splitSymmetric(a: readonly NodeId[], b: readonly NodeId[], healAtMs: number, kind: PartitionKind = 'symmetric'): void {
    for (const x of a) for (const y of b) this.blocked.add(`${x}>${y}`).add(`${y}>${x}`);
    this.partition = { kind, description: `[${a.join(',')}] | [${b.join(',')}]`, healAtMs };
  }

  /** Cuts only the links from `senders` to `receivers`: the receivers still reach the senders. */
  splitAsymmetric(senders: readonly NodeId[], receivers: readonly NodeId[], healAtMs: number): void {
    for (const x of senders) for (const y of receivers) this.blocked.add(`${x}>${y}`);
    this.partition = { kind: 'asymmetric', description: `[${senders.join(',')}] -/-> [${receivers.join(',')}]`, healAtMs };
  }

  /** Heals every partition and ends message loss, duplication and reordering for good. */
  calmDown(): void {
    this.heal();
    this.calm = true;
  }

  heal(): void {
    this.blocked.clear();
    this.partition = null;
  }

  private enqueue(message: Message, nowMs: number): void {
    const { delayMsMin, delayMsMax, reorderProbability, reorderDelayMsMax } = this.options;
    let delayMs = this.rng.int(delayMsMin, Math.max(delayMsMin, delayMsMax));
    if (!this.calm && this.rng.chance(reorderProbability)) delayMs += this.rng.int(1, reorderDelayMsMax);
    this.queue.push({ atMs: nowMs + delayMs, seq: this.seq++, message });
  }
}
