// The worker's line to the managers, following the agent's session: the Assignments stream of the
// current session (reopened when the session moves to another manager or the stream breaks) and
// batched UpdateTaskStatus calls. Reports wait for a session and are retried until one accepts them.
import * as grpc from '@grpc/grpc-js';
import { AssignmentsType, DispatcherClient, type AssignmentsMessage } from '@shoal/proto';
import type { Assignments, TaskStatus } from './task.js';

export interface LinkOptions {
  readonly credentials: () => grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  /**
   * Called once per message, in arrival order, without waiting for the previous call to resolve: the
   * callee keeps its own intake in call order (Worker.apply does), while a message's work may take
   * seconds and must not hold up the messages behind it.
   */
  readonly onAssignments: (kind: 'full' | 'incremental', changes: Assignments) => Promise<void>;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Default 100. */
  readonly flushEveryMs?: number;
  /** Default 1000. */
  readonly retryDelayMs?: number;
}

export class DispatcherLink {
  readonly #opts: LinkOptions;
  #session: { id: string; addr: string } | null = null;
  #client: DispatcherClient | null = null;
  #stream: grpc.ClientReadableStream<AssignmentsMessage> | null = null;
  #pending = new Map<string, TaskStatus>();
  #flushing = false;
  #retry: NodeJS.Timeout | null = null;
  readonly #flushTimer: NodeJS.Timeout;
  #stopped = false;

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    this.#flushTimer = setInterval(() => void this.#flush(), opts.flushEveryMs ?? 100);
    this.#flushTimer.unref();
  }

  /** The agent's session changed (new session ID, or another manager). */
  setSession(sessionId: string, addr: string): void {
    if (this.#stopped || (this.#session?.id === sessionId && this.#session.addr === addr)) return;
    this.#session = { id: sessionId, addr };
    this.#open();
  }

  report(taskId: string, status: TaskStatus): void {
    this.#pending.set(taskId, status);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#flushTimer);
    if (this.#retry) clearTimeout(this.#retry);
    this.#close();
  }

  #close(): void {
    this.#stream?.cancel();
    this.#stream = null;
    this.#client?.close();
    this.#client = null;
  }

  #open(): void {
    this.#close();
    const session = this.#session;
    if (!session || this.#stopped) return;
    const client = new DispatcherClient(session.addr, this.#opts.credentials(), this.#opts.channelOptions);
    this.#client = client;
    const stream = client.assignments({ sessionId: session.id });
    this.#stream = stream;
    stream.on('data', (message: AssignmentsMessage) => {
      // A cancelled stream may still deliver what it had buffered: only the current session's counts.
      if (this.#stream !== stream) return;
      const kind = message.type === AssignmentsType.FULL ? 'full' : 'incremental';
      const changes = JSON.parse(Buffer.from(message.changesJson).toString('utf8')) as Assignments;
      this.#opts.onAssignments(kind, changes).catch((err) => this.#opts.log('error', 'applying assignments failed', { err: String(err) }));
    });
    const broken = (why: string) => {
      if (this.#client !== client || this.#stopped) return;
      this.#opts.log('debug', 'assignments stream ended; reopening', { why });
      this.#close();
      this.#retry = setTimeout(() => this.#open(), this.#opts.retryDelayMs ?? 1000);
      this.#retry.unref();
    };
    stream.on('error', (err: grpc.ServiceError) => broken(err.details || err.message));
    stream.on('end', () => broken('end'));
  }

  async #flush(): Promise<void> {
    const client = this.#client;
    const session = this.#session;
    if (this.#flushing || !client || !session || this.#pending.size === 0) return;
    this.#flushing = true;
    const batch = this.#pending;
    this.#pending = new Map();
    const updates = [...batch].map(([taskId, status]) => ({ taskId, statusJson: Buffer.from(JSON.stringify(status)) }));
    try {
      await new Promise<void>((resolve, reject) =>
        client.updateTaskStatus({ sessionId: session.id, updates }, new grpc.Metadata(), { deadline: new Date(Date.now() + 10_000) }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    } catch (err) {
      // Put the batch back under any newer report of the same task, and try again on the next flush.
      for (const [id, status] of batch) if (!this.#pending.has(id)) this.#pending.set(id, status);
      this.#opts.log('debug', 'task status report failed; will retry', { err: String((err as grpc.ServiceError).details ?? err) });
    } finally {
      this.#flushing = false;
    }
  }
}
