// Telling a crashed leader from a network blip. When the leader has been silent for a few ticks, a
// follower tries a plain TCP connection to its port: a dead process's port refuses at once (RST),
// while during a blip the attempt just goes unanswered. Only a refusal lets the follower forget the
// leader and campaign early; everything else is left to Raft's election timeout.
import { connect } from 'node:net';

export interface LeaderProbeOptions {
  /** Silence from the leader after which a probe is worth making. */
  readonly silenceMs: number;
  /** How often to look. */
  readonly intervalMs: number;
  readonly self: string;
  readonly leader: () => string | null;
  readonly leaderAddr: () => string | undefined;
  /** Last time a message from `nodeId` arrived. */
  readonly lastHeardMs: (nodeId: string) => number;
  readonly onRefused: (leader: string) => void;
}

export class LeaderProbe {
  readonly #opts: LeaderProbeOptions;
  readonly #timer: NodeJS.Timeout;
  #probing = false;

  constructor(opts: LeaderProbeOptions) {
    this.#opts = opts;
    this.#timer = setInterval(() => this.#check(), opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const leader = this.#opts.leader();
    if (this.#probing || leader === null || leader === this.#opts.self) return;
    if (Date.now() - this.#opts.lastHeardMs(leader) < this.#opts.silenceMs) return;
    const addr = this.#opts.leaderAddr();
    const m = addr ? /^\[?([^\]]+)\]?:(\d+)$/.exec(addr) : null;
    if (!m) return;
    this.#probing = true;
    const socket = connect({ host: m[1]!, port: Number(m[2]) });
    const done = () => {
      this.#probing = false;
      socket.destroy();
    };
    socket.setTimeout(this.#opts.silenceMs, done);
    socket.once('connect', done);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      done();
      if (err.code === 'ECONNREFUSED' && this.#opts.leader() === leader) this.#opts.onRefused(leader);
    });
  }
}
