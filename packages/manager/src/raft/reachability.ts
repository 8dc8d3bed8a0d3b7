// Whether this manager can currently reach each peer, judged by its own recent sends. The leader
// sends to every member at each heartbeat, so on the leader this tracks MANAGER STATUS closely.

/** A peer is unreachable once its sends failed for this long without a success in between. */
const UNREACHABLE_AFTER_MS = 3000;

export class PeerReachability {
  readonly #lastSuccessMs = new Map<string, number>();
  readonly #firstFailureMs = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  delivered(nodeId: string): void {
    this.#lastSuccessMs.set(nodeId, this.now());
    this.#firstFailureMs.delete(nodeId);
  }

  failed(nodeId: string): void {
    if (!this.#firstFailureMs.has(nodeId)) this.#firstFailureMs.set(nodeId, this.now());
  }

  isReachable(nodeId: string): boolean {
    const failingSince = this.#firstFailureMs.get(nodeId);
    if (failingSince !== undefined) return this.now() - failingSince < UNREACHABLE_AFTER_MS && this.#lastSuccessMs.has(nodeId);
    return this.#lastSuccessMs.has(nodeId);
  }
}
