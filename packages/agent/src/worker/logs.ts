// The agent's side of `service logs` (swarmkit's log publisher): it listens on the manager holding its
// session for subscriptions naming tasks on this node, reads those tasks' container logs (json-file)
// and publishes the lines back on one PublishLogs stream per subscription. Without follow it closes
// the stream once every task's log is read; with follow it keeps reading, and takes on tasks that the
// manager adds to the subscription later, until the manager closes it.
import * as grpc from '@grpc/grpc-js';
import { LogBrokerClient, type LogMessage, type LogSubscription, type PublishLogsMessage } from '@shoal/proto';
import type { ContainerRecord, ContainerRuntime, LogLine } from '../runtime/types.js';
import { TASK_ID_LABEL } from './container-spec.js';

const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';

export interface LogPublisherOptions {
  readonly runtime: ContainerRuntime;
  readonly credentials: () => grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Default 1000. */
  readonly retryDelayMs?: number;
}

interface Active {
  readonly controller: AbortController;
  readonly taskIds: Set<string>;
  readonly stream: grpc.ClientWritableStream<PublishLogsMessage>;
  readers: number;
  closed: boolean;
}

export class LogPublisher {
  readonly #opts: LogPublisherOptions;
  #addr: string | null = null;
  #client: LogBrokerClient | null = null;
  #listen: grpc.ClientReadableStream<LogSubscription> | null = null;
  #retry: NodeJS.Timeout | null = null;
  readonly #active = new Map<string, Active>();
  #stopped = false;

  constructor(opts: LogPublisherOptions) {
    this.#opts = opts;
  }

  /** The manager the agent's session is with (the leader, where subscriptions are made). */
  setManager(addr: string): void {
    if (this.#stopped || addr === this.#addr) return;
    this.#addr = addr;
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#close();
  }

  #close(): void {
    for (const id of [...this.#active.keys()]) this.#finish(id);
    this.#listen?.cancel();
    this.#listen = null;
    this.#client?.close();
    this.#client = null;
  }

  #open(): void {
    this.#close();
    if (!this.#addr || this.#stopped) return;
    const client = new LogBrokerClient(this.#addr, this.#opts.credentials(), this.#opts.channelOptions);
    this.#client = client;
    const listen = client.listenSubscriptions({});
    this.#listen = listen;
    listen.on('data', (subscription: LogSubscription) => this.#onSubscription(client, subscription));
    const broken = (why: string): void => {
      if (this.#client !== client || this.#stopped) return;
      this.#opts.log('debug', 'log subscriptions stream ended; reopening', { why });
      this.#close();
      this.#retry = setTimeout(() => this.#open(), this.#opts.retryDelayMs ?? 1000);
      this.#retry.unref();
    };
    listen.on('error', (err: grpc.ServiceError) => broken(err.details || err.message));
    listen.on('end', () => broken('end'));
  }

  #onSubscription(client: LogBrokerClient, subscription: LogSubscription): void {
    if (subscription.close) {
      this.#finish(subscription.id);
      return;
    }
    let active = this.#active.get(subscription.id);
    if (!active) {
      const stream = client.publishLogs((err) => {
        if (err && err.code !== grpc.status.CANCELLED) this.#opts.log('debug', 'publishing logs failed', { err: err.details || err.message });
      });
      stream.on('error', () => {});
      active = { controller: new AbortController(), taskIds: new Set(), stream, readers: 0, closed: false };
      this.#active.set(subscription.id, active);
    }
    for (const taskId of subscription.taskIds) {
      if (active.taskIds.has(taskId)) continue;
      active.taskIds.add(taskId);
      active.readers++;
      void this.#read(subscription, active, taskId).finally(() => {
        active.readers--;
        if (!subscription.follow && active.readers === 0) this.#finish(subscription.id);
      });
    }
    if (!subscription.follow && active.readers === 0) this.#finish(subscription.id);
  }

  async #read(subscription: LogSubscription, active: Active, taskId: string): Promise<void> {
    const signal = active.controller.signal;
    const record = subscription.follow ? await this.#container(taskId, signal) : this.#find(taskId);
    if (!record || signal.aborted) return;
    const serviceId = record.spec.labels?.[SERVICE_ID_LABEL] ?? '';
    const tail = subscription.tail < 0 ? undefined : subscription.tail;
    try {
      const lines = this.#opts.runtime.logs(record.spec.id, { follow: subscription.follow, tail, stdout: true, stderr: true, signal });
      for await (const line of lines) {
        if (active.closed) return;
        active.stream.write({ subscriptionId: subscription.id, messages: [message(line, taskId, serviceId)], close: false, error: '' });
      }
    } catch (err) {
      if (signal.aborted || active.closed) return;
      active.stream.write({ subscriptionId: subscription.id, messages: [], close: false, error: `task ${taskId}: ${(err as Error).message}` });
    }
  }

  #find(taskId: string): ContainerRecord | undefined {
    return this.#opts.runtime.list().find((r) => r.spec.labels?.[TASK_ID_LABEL] === taskId && !r.removed);
  }

  /** The task's container, waiting (until aborted) for it to be created when the task is new. */
  #container(taskId: string, signal: AbortSignal): Promise<ContainerRecord | undefined> {
    const found = this.#find(taskId);
    if (found || signal.aborted) return Promise.resolve(found);
    return new Promise((resolve) => {
      const done = (record: ContainerRecord | undefined): void => {
        dispose();
        signal.removeEventListener('abort', onAbort);
        resolve(record);
      };
      const onAbort = (): void => done(undefined);
      const dispose = this.#opts.runtime.subscribe((record) => {
        if (record.spec.labels?.[TASK_ID_LABEL] === taskId && !record.removed) done(record);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #finish(id: string): void {
    const active = this.#active.get(id);
    if (!active) return;
    this.#active.delete(id);
    active.closed = true;
    active.controller.abort();
    active.stream.write({ subscriptionId: id, messages: [], close: true, error: '' });
    active.stream.end();
  }
}

function message(line: LogLine, taskId: string, serviceId: string): LogMessage {
  // The manager fills in the node from the publisher's certificate.
  return { nodeId: '', serviceId, taskId, time: line.time, stream: line.stream === 'stderr' ? 2 : 1, data: line.data };
}
