// The nemesis of a fault run: one fault at a time, chosen by the seeded PRNG, held for a while, then
// undone. Every fault is recorded; healAll() undoes whatever is left (also after an error).
import { setTimeout as sleep } from 'node:timers/promises';
import { daemonPid, execOnHost, heal, kill9, partition, restartDaemon, startDaemon, waitForSocket, type Host } from '@shoal/cli/cluster';
import type { Prng } from '../fuzz/prng.js';
import { applyDiskFault, type DiskFaultKind } from './disk.js';
import { getJson } from './engine.js';

export const FAULT_KINDS = [
  'kill9-leader',
  'kill9-follower',
  'kill9-worker',
  'pause-leader',
  'partition-minority',
  'partition-leader',
  'partition-bridge',
  'partition-oneway',
  'disk-readonly',
  'disk-full',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  readonly startMs: number;
  endMs: number;
}

export interface NemesisOptions {
  readonly hosts: readonly Host[];
  readonly kinds: readonly FaultKind[];
  /** How long a fault is held: a pause must outlast the election timeout (3–6 s). */
  readonly holdMs: readonly [number, number];
  /** Quiet time between faults. */
  readonly gapMs: readonly [number, number];
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** One-direction drops: a table of ours in the sender's namespace, dropping its packets to some peers. */
const ONEWAY_TABLE = 'shoal_faults_oneway';

async function dropOutgoing(host: Host, peers: readonly Host[]): Promise<void> {
  const script = [
    `add table inet ${ONEWAY_TABLE}`,
    `add chain inet ${ONEWAY_TABLE} output { type filter hook output priority -300; policy accept; }`,
    ...peers.map((p) => `add rule inet ${ONEWAY_TABLE} output ip daddr ${p.addr} drop`),
  ].join('\n');
  const r = await execOnHost(host, ['nft', '-f', '-'], { input: `${script}\n` });
  if (r.code !== 0) throw new Error(`${host.name}: nft: ${r.stderr.trim()}`);
}

async function healOneway(hosts: readonly Host[]): Promise<void> {
  for (const host of hosts) await execOnHost(host, ['nft', 'delete', 'table', 'inet', ONEWAY_TABLE]);
}

/** The current leader as some reachable manager reports it, if any does. */
export async function findLeader(managers: readonly Host[]): Promise<Host | undefined> {
  for (const m of managers) {
    try {
      const nodes = await getJson<{ Description?: { Hostname?: string }; ManagerStatus?: { Leader?: boolean } }[]>(m.socket, '/nodes', 2_000);
      const name = nodes.find((n) => n.ManagerStatus?.Leader === true)?.Description?.Hostname;
      const leader = managers.find((h) => h.name === name);
      if (leader !== undefined) return leader;
    } catch {
      // this manager cannot say; ask the next
    }
  }
  return undefined;
}

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  readonly #managers: Host[];
  readonly #workers: Host[];
  readonly #paused = new Set<Host>();
  #undo: (() => Promise<void>) | undefined;

  constructor(readonly rng: Prng, readonly o: NemesisOptions) {
    this.#managers = o.hosts.filter((h) => h.role === 'manager');
    this.#workers = o.hosts.filter((h) => h.role === 'worker');
  }

  async run(isDone: () => boolean): Promise<void> {
    while (!isDone()) {
      await sleep(this.#between(this.o.gapMs));
      if (isDone()) break;
      const kind = this.rng.pick(this.o.kinds);
      const leader = (await findLeader(this.#managers)) ?? this.rng.pick(this.#managers);
      const followers = this.#managers.filter((m) => m !== leader);
      const record: FaultRecord = { kind, target: '', startMs: this.o.now(), endMs: -1 };
      const target = await this.#apply(kind, leader, followers);
      this.faults.push({ ...record, target });
      this.o.log(`fault ${this.faults.length}: ${kind} on ${target} at ${record.startMs} ms`);
      await sleep(this.#between(this.o.holdMs));
      await this.#heal();
      const last = this.faults[this.faults.length - 1];
      if (last !== undefined) last.endMs = this.o.now();
    }
  }

  #between([lo, hi]: readonly [number, number]): number {
    return lo + this.rng.int(hi - lo + 1);
  }

  async #apply(kind: FaultKind, leader: Host, followers: Host[]): Promise<string> {
    const others = (h: Host) => this.o.hosts.filter((x) => x !== h);
    switch (kind) {
      case 'kill9-leader':
      case 'kill9-follower':
      case 'kill9-worker': {
        const host = kind === 'kill9-leader' ? leader : kind === 'kill9-follower' ? this.rng.pick(followers) : this.rng.pick(this.#workers);
        if (daemonPid(host) !== undefined) await kill9(host);
        this.#undo = () => restartDaemon(host, { socketTimeoutMs: 30_000 });
        return host.name;
      }
      case 'pause-leader': {
        const pid = daemonPid(leader);
        if (pid !== undefined) {
          process.kill(pid, 'SIGSTOP');
          this.#paused.add(leader);
        }
        this.#undo = async () => this.#resume();
        return leader.name;
      }
      case 'partition-minority':
      case 'partition-leader': {
        const host = kind === 'partition-leader' ? leader : this.rng.pick(followers);
        for (const peer of others(host)) await partition(host, peer);
        this.#undo = () => heal(this.o.hosts);
        return host.name;
      }
      case 'partition-bridge': {
        // Every manager still sees a majority (Jepsen's majorities ring on three nodes): only the link
        // between the leader and one follower is cut, the other follower bridges them.
        const follower = this.rng.pick(followers);
        await partition(leader, follower);
        this.#undo = () => heal(this.o.hosts);
        return `${leader.name}<->${follower.name}`;
      }
      case 'partition-oneway': {
        // The leader hears everyone but nobody hears it.
        await dropOutgoing(leader, others(leader));
        this.#undo = () => healOneway([leader]);
        return `${leader.name}->*`;
      }
      case 'disk-readonly':
      case 'disk-full': {
        const host = this.rng.pick(followers);
        this.#undo = await applyDiskFault(host, kind satisfies DiskFaultKind);
        return host.name;
      }
    }
  }

  async #resume(): Promise<void> {
    for (const host of this.#paused) {
      const pid = daemonPid(host);
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
    }
    this.#paused.clear();
  }

  async #heal(): Promise<void> {
    const undo = this.#undo;
    this.#undo = undefined;
    if (undo !== undefined) await undo();
  }

  /** Undoes the current fault and anything else a fault may have left: paused, stopped, cut off. */
  async healAll(): Promise<void> {
    try {
      await this.#heal();
    } finally {
      await this.#resume();
      await heal(this.o.hosts);
      await healOneway(this.o.hosts);
      for (const host of this.o.hosts) {
        if (daemonPid(host) === undefined) {
          this.o.log(`restarting ${host.name}, found not running`);
          await startDaemon(host);
        }
      }
      for (const host of this.o.hosts) await waitForSocket(host, { timeoutMs: 30_000 });
    }
  }
}
