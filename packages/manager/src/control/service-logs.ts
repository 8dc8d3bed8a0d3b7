// The leader's log broker (swarmkit's LogBroker): a subscriber names services or tasks; the broker
// finds the nodes running their tasks and asks each node's listening agent for those tasks' lines;
// agents publish them back and the broker hands them to the subscriber. Without follow the
// subscription ends once every node has closed its part; with follow it also picks up tasks that
// reach a node later (a scale-up, a restart) until the subscriber cancels.
import type { LogMessage, LogSubscription, PublishLogsMessage } from '@shoal/proto';
import type { MemoryStore } from '../store/memory-store.js';
import type { TaskObject } from '../store/objects.js';

export interface LogSelector {
  readonly serviceIds: readonly string[];
  readonly taskIds: readonly string[];
  readonly follow: boolean;
  /** Last N lines of each task; negative = all. */
  readonly tail: number;
}

/** Where a subscription's output goes; `end` is called once, after which nothing else is. */
export interface LogSink {
  messages(batch: readonly LogMessage[]): void;
  /** A node's logs could not be read; shown as Docker's "Error grabbing logs" line. */
  error(text: string): void;
  end(): void;
}

interface NodePart {
  readonly taskIds: Set<string>;
  closed: boolean;
}

interface Subscription {
  readonly id: string;
  readonly selector: LogSelector;
  readonly sink: LogSink;
  readonly nodes: Map<string, NodePart>;
}

type Listener = (subscription: LogSubscription) => void;

export class LogBroker {
  readonly #store: MemoryStore;
  readonly #newId: () => string;
  readonly #subscriptions = new Map<string, Subscription>();
  /** One listening agent stream per node; a newer stream replaces an older one. */
  readonly #listeners = new Map<string, Listener>();
  readonly #unsubscribe: () => void;

  constructor(store: MemoryStore, newId: () => string) {
    this.#store = store;
    this.#newId = newId;
    this.#unsubscribe = store.subscribe((event) => {
      for (const change of event.changes) {
        if (change.table === 'task' && change.kind !== 'delete') this.#taskChanged(change.object as TaskObject);
      }
    });
  }

  /** Starts a subscription; the returned function cancels it (idempotent). */
  subscribe(selector: LogSelector, sink: LogSink): () => void {
    const subscription: Subscription = { id: this.#newId(), selector, sink, nodes: new Map() };
    this.#subscriptions.set(subscription.id, subscription);
    const tasks = this.#store.list('task').filter((task) => task.NodeID && selects(selector, task));
    for (const task of tasks) this.#part(subscription, task.NodeID!).taskIds.add(task.ID);
    for (const [nodeId, part] of subscription.nodes) this.#ask(subscription, nodeId, part);
    this.#endIfDone(subscription);
    return () => this.#cancel(subscription.id);
  }

  /** An agent listens for the subscriptions of its node; the returned function stops listening. */
  listen(nodeId: string, listener: Listener): () => void {
    this.#listeners.set(nodeId, listener);
    for (const subscription of this.#subscriptions.values()) {
      const part = subscription.nodes.get(nodeId);
      if (part && !part.closed) listener(this.#message(subscription, part));
    }
    return () => {
      if (this.#listeners.get(nodeId) !== listener) return;
      this.#listeners.delete(nodeId);
      for (const subscription of [...this.#subscriptions.values()]) {
        const part = subscription.nodes.get(nodeId);
        if (!part || part.closed || subscription.selector.follow) continue;
        this.#closePart(subscription, nodeId, `node ${nodeId} went away before sending all its logs`);
      }
    };
  }

  /** Lines (and maybe the end) of one node's part of a subscription. */
  publish(nodeId: string, message: PublishLogsMessage): void {
    const subscription = this.#subscriptions.get(message.subscriptionId);
    const part = subscription?.nodes.get(nodeId);
    if (!subscription || !part || part.closed) return;
    // A node only speaks for its own tasks.
    const own = message.messages.filter((m) => part.taskIds.has(m.taskId)).map((m) => ({ ...m, nodeId }));
    if (own.length > 0) subscription.sink.messages(own);
    if (message.error) subscription.sink.error(message.error);
    if (message.close) this.#closePart(subscription, nodeId);
  }

  /** Ends every subscription (the manager stops or loses leadership). */
  stop(): void {
    this.#unsubscribe();
    for (const id of [...this.#subscriptions.keys()]) this.#cancel(id);
  }

  #part(subscription: Subscription, nodeId: string): NodePart {
    let part = subscription.nodes.get(nodeId);
    if (!part) subscription.nodes.set(nodeId, (part = { taskIds: new Set(), closed: false }));
    return part;
  }

  #message(subscription: Subscription, part: NodePart, close = false): LogSubscription {
    const { follow, tail } = subscription.selector;
    return { id: subscription.id, taskIds: [...part.taskIds], follow, tail, close };
  }

  #ask(subscription: Subscription, nodeId: string, part: NodePart): void {
    const listener = this.#listeners.get(nodeId);
    if (listener) listener(this.#message(subscription, part));
    else if (!subscription.selector.follow) this.#closePart(subscription, nodeId, `node ${nodeId} is not available`);
  }

  #taskChanged(task: TaskObject): void {
    if (!task.NodeID) return;
    for (const subscription of this.#subscriptions.values()) {
      if (!subscription.selector.follow || !selects(subscription.selector, task)) continue;
      const part = this.#part(subscription, task.NodeID);
      if (part.taskIds.has(task.ID)) continue;
      part.taskIds.add(task.ID);
      this.#ask(subscription, task.NodeID, part);
    }
  }

  #closePart(subscription: Subscription, nodeId: string, error?: string): void {
    const part = subscription.nodes.get(nodeId);
    if (!part || part.closed) return;
    part.closed = true;
    if (error) subscription.sink.error(`incomplete log stream: ${error}`);
    this.#endIfDone(subscription);
  }

  #endIfDone(subscription: Subscription): void {
    if (subscription.selector.follow) return;
    if ([...subscription.nodes.values()].every((part) => part.closed)) this.#cancel(subscription.id);
  }

  #cancel(id: string): void {
    const subscription = this.#subscriptions.get(id);
    if (!subscription) return;
    this.#subscriptions.delete(id);
    for (const [nodeId, part] of subscription.nodes) {
      if (!part.closed) this.#listeners.get(nodeId)?.(this.#message(subscription, part, true));
    }
    subscription.sink.end();
  }
}

function selects(selector: LogSelector, task: TaskObject): boolean {
  return selector.taskIds.includes(task.ID) || selector.serviceIds.includes(task.ServiceID);
}
