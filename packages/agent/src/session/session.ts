// The agent's session with the managers: it registers the node, heartbeats at the period the leader
// asks for, learns the current managers and the role the cluster wants this node to have, and
// reconnects to another manager (leader first) when the session breaks, e.g. on failover.
import * as grpc from '@grpc/grpc-js';
import { DispatcherClient, type SessionMessage } from '@shoal/proto';

export interface ManagerAddress {
  readonly nodeId: string;
  readonly addr: string;
}

export interface SessionOptions {
  readonly nodeId: string;
  /** The node's description (hostname, platform, resources, engine) plus its advertised Addr. */
  readonly description: () => Record<string, unknown>;
  readonly managers: readonly ManagerAddress[];
  readonly credentials: () => grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  /** Every message of the session: managers, desired role, availability. */
  readonly onMessage: (message: SessionMessage) => void;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Wait between attempts after a failure. Default 500. */
  readonly retryDelayMs?: number;
}

const LEADER_HINT = /leader is at (\S+)/;

export class AgentSession {
  readonly #opts: SessionOptions;
  #managers: ManagerAddress[];
  #next = 0;
  #preferred: string | null = null;
  #client: DispatcherClient | null = null;
  #stream: grpc.ClientReadableStream<SessionMessage> | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  #connectedTo: string | null = null;
  #markEstablished!: () => void;
  readonly #established = new Promise<void>((resolve) => (this.#markEstablished = resolve));

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.#managers = [...opts.managers];
  }

  /** Whether a manager accepted the node within `timeoutMs` (at any time since start). */
  async established(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.#established.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  start(): void {
    this.#connect();
  }

  /** The manager this session currently talks to, if any. */
  get manager(): string | null {
    return this.#connectedTo;
  }

  get managers(): readonly ManagerAddress[] {
    return this.#managers;
  }

  stop(): void {
    this.#stopped = true;
    this.#teardown();
    if (this.#retry) clearTimeout(this.#retry);
  }

  #pickAddr(): string | undefined {
    if (this.#preferred) {
      const addr = this.#preferred;
      this.#preferred = null;
      return addr;
    }
    if (this.#managers.length === 0) return undefined;
    const m = this.#managers[this.#next % this.#managers.length]!;
    this.#next++;
    return m.addr;
  }

  #connect(): void {
    if (this.#stopped) return;
    const addr = this.#pickAddr();
    if (!addr) return this.#scheduleRetry('no manager known');
    const client = new DispatcherClient(addr, this.#opts.credentials(), this.#opts.channelOptions);
    this.#client = client;
    const description = Buffer.from(JSON.stringify(this.#opts.description()));
    const stream = client.session({ nodeId: this.#opts.nodeId, descriptionJson: description });
    this.#stream = stream;
    let sessionId: string | null = null;
    stream.on('data', (message: SessionMessage) => {
      if (sessionId === null) {
        this.#connectedTo = addr;
        this.#markEstablished();
        this.#opts.log('info', 'session established', { manager: addr });
      }
      if (message.sessionId !== sessionId) this.#startHeartbeat(client, message.sessionId, message.heartbeatPeriodMs);
      sessionId = message.sessionId;
      if (message.managers.length > 0) this.#managers = message.managers.map((m) => ({ nodeId: m.nodeId, addr: m.addr }));
      this.#opts.onMessage(message);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      const hint = LEADER_HINT.exec(err.details ?? '');
      if (hint?.[1]) this.#preferred = hint[1];
      this.#fail(`session with ${addr} failed: ${err.details || err.message}`, client);
    });
    stream.on('end', () => this.#fail(`session with ${addr} ended`, client));
  }

  #startHeartbeat(client: DispatcherClient, sessionId: string, periodMs: number): void {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    // As swarmkit's agent: one beat at once, then one per period as the manager's last answer gave it
    // (the manager adds jitter, which spreads the beats of nodes that reconnected together). The
    // manager waits three periods before it marks a node down, so a lost beat is not fatal.
    const beat = (): void => {
      client.heartbeat({ sessionId }, new grpc.Metadata(), { deadline: new Date(Date.now() + periodMs) }, (err, reply) => {
        if (this.#client !== client || this.#stopped) return;
        if (err && err.code === grpc.status.NOT_FOUND) {
          this.#fail('session no longer known to the manager', client);
          return;
        }
        if (reply && reply.periodMs > 0) periodMs = reply.periodMs;
        this.#heartbeat = setTimeout(beat, periodMs);
        this.#heartbeat.unref();
      });
    };
    beat();
  }

  #fail(reason: string, client: DispatcherClient): void {
    if (this.#client !== client || this.#stopped) return;
    this.#opts.log('warn', 'reconnecting session', { reason });
    this.#teardown();
    this.#scheduleRetry(reason);
  }

  #scheduleRetry(reason: string): void {
    if (this.#stopped) return;
    this.#opts.log('debug', 'session retry scheduled', { reason });
    this.#retry = setTimeout(() => this.#connect(), this.#opts.retryDelayMs ?? 500);
    this.#retry.unref();
  }

  #teardown(): void {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    this.#heartbeat = null;
    this.#stream?.cancel();
    this.#stream = null;
    this.#client?.close();
    this.#client = null;
    this.#connectedTo = null;
  }
}
