// The node's swarm membership on disk (<data-root>/swarm/state.json): enough to rejoin after a
// restart with the same identity. Certificates live beside it (see NodeCertificateStore).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ManagerAddr {
  readonly nodeId: string;
  readonly addr: string;
}

export interface SwarmState {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly role: 'manager' | 'worker';
  /** host:port the manager's gRPC server binds (managers only, but kept for promotion). */
  readonly listenAddr: string;
  /** IP other nodes reach this node at. */
  readonly advertiseAddr: string;
  /** The VXLAN source address and this node's VTEP for its peers: --data-path-addr, else advertiseAddr. */
  readonly dataPathAddr: string;
  /** Managers last known, to find the cluster again after a restart. */
  readonly managers: readonly ManagerAddr[];
  /** The cluster spec's Raft timing as last seen; a manager's Raft member is started with it. */
  readonly raftTicks?: { readonly election: number; readonly heartbeat: number };
}

export class SwarmStateFile {
  readonly dir: string;
  readonly #path: string;

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'swarm');
    this.#path = join(this.dir, 'state.json');
  }

  get raftDir(): string {
    return join(this.dir, 'raft');
  }

  async load(): Promise<SwarmState | null> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const state = JSON.parse(text) as SwarmState;
    if (typeof state.nodeId !== 'string' || typeof state.clusterId !== 'string' || !['manager', 'worker'].includes(state.role)) {
      throw new Error(`${this.#path} is not a swarm state file`);
    }
    return state;
  }

  async save(state: SwarmState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.#path}.tmp`;
    await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.#path);
  }

  /** Forgets the Raft log (a demoted manager's old membership must not come back). */
  async removeRaft(): Promise<void> {
    await rm(this.raftDir, { recursive: true, force: true });
  }

  /** Forgets the swarm: state, Raft log and certificates. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
