// The key manager on the leader (swarmkit's manager/keymanager): keeps the network key ring in the
// cluster object, so every manager has it through Raft and a new leader continues the schedule where
// the old one left it. Creates the ring when the cluster has none, then rotates one key per interval.
// The dispatcher hands the ring to every agent with its session.
import { randomBytes } from 'node:crypto';
import type { MemoryStore } from '../store/memory-store.js';
import { commitEach, type Commit } from '../orchestrator/commit.js';
import { ControlLoop } from '../orchestrator/loop.js';
import { DEFAULT_KEY_ROTATION_MS, KEY_LENGTH_BYTES, planKeyRing } from './key-ring.js';

export interface KeyManagerHost {
  readonly store: MemoryStore;
  readonly commit: Commit;
  readonly nowMs: () => number;
  readonly onFatal: (name: string, err: unknown) => void;
}

export interface KeyManagerOptions {
  /** Time between two rotations. Default 12 h (swarmkit's DefaultKeyRotationInterval). */
  readonly rotationMs?: number;
  /** A new key (KEY_LENGTH_BYTES bytes, base64). Default: from the system's CSPRNG. */
  readonly randomKey?: () => string;
}

export class KeyManager {
  readonly #loop: ControlLoop;

  constructor(host: KeyManagerHost, options: KeyManagerOptions = {}) {
    const rotationMs = options.rotationMs ?? DEFAULT_KEY_ROTATION_MS;
    const randomKey = options.randomKey ?? (() => randomBytes(KEY_LENGTH_BYTES).toString('base64'));
    this.#loop = new ControlLoop({
      name: 'key manager',
      store: host.store,
      nowMs: host.nowMs,
      onFatal: host.onFatal,
      pass: async () => {
        const cluster = host.store.list('cluster')[0];
        if (cluster === undefined) return undefined;
        const plan = planKeyRing(cluster.NetworkBootstrapKeys, { nowMs: host.nowMs(), rotationMs, randomKey });
        if (plan.next !== undefined) {
          // A conflict means the cluster changed meanwhile: that commit runs this pass again.
          await commitEach(host.commit, [[{ op: 'update', table: 'cluster', expectedVersion: cluster.Version.Index, object: { ...cluster, NetworkBootstrapKeys: plan.next } }]]);
        }
        return plan.wakeAtMs;
      },
    });
  }

  run(): void {
    this.#loop.run();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Resolves when no pass is pending or running (for tests). */
  idle(): Promise<void> {
    return this.#loop.idle();
  }
}
