// Concurrent clients of a fault run: each creates, scales and removes its own networks and services
// through a randomly chosen manager's socket and records every call in the history.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostLayout } from '@shoal/cli/cluster';
import type { Prng } from '../fuzz/prng.js';
import { callEngine, type Outcome } from './engine.js';
import { History, type KeyKind, type KeyState } from './history.js';

export interface WorkloadOptions {
  readonly managers: readonly HostLayout[];
  readonly history: History;
  readonly clients: number;
  /** Shared overlay every service attaches to, so tasks hold addresses the checker can compare. */
  readonly serviceNetwork: string;
  readonly image: string;
  /** Per-call deadline; a call without a reply by then has an unknown outcome. */
  readonly callTimeoutMs: number;
  /** At most this many live services per client (each replica is a real container). */
  readonly servicesPerClient: number;
  readonly isDone: () => boolean;
}

/**
 * How long after an operation of unknown outcome its key may be settled by removing it. By then the
 * operation can no longer land: the client's call is long abandoned, every control operation on the
 * managers is bounded well below this, and a Raft entry that no leader committed by then is overwritten
 * by the entries of a later term. Without settling, keys whose creation was unknown pile up over a long
 * soak (services holding addresses until the shared /24 is exhausted).
 */
const SETTLE_AMBIGUOUS_MS = 60_000;

/** Labels every object of a fault run carries, so the final checks find them all. */
export const RUN_LABEL = 'shoal.faults';

class Client {
  #n = 0;
  readonly #networks: string[] = [];
  readonly #services: string[] = [];

  constructor(readonly index: number, readonly rng: Prng, readonly o: WorkloadOptions) {}

  async run(): Promise<void> {
    while (!this.o.isDone()) {
      await this.step();
      await sleep(20 + this.rng.int(150));
    }
  }

  async step(): Promise<void> {
    const nets = this.#networks.filter((k) => this.o.history.usable(k));
    const svcs = this.#services.filter((k) => this.o.history.usable(k));
    const settleable = [...this.#networks.map((k) => ['network', k] as const), ...this.#services.map((k) => ['service', k] as const)].filter(
      ([, k]) => (this.o.history.ambiguousForMs(k) ?? 0) >= SETTLE_AMBIGUOUS_MS,
    );
    if (settleable.length > 0 && this.rng.next() < 0.5) {
      const [kind, key] = this.rng.pick(settleable);
      return this.settle(kind, key);
    }
    const r = this.rng.next();
    if (r < 0.35 || (nets.length === 0 && r < 0.6)) return this.createNetwork();
    if (r < 0.55 && nets.length > 0) return this.remove('network', this.rng.pick(nets));
    // Services that may exist count too: each replica is a real container.
    if (r < 0.7 && this.#services.length < this.o.servicesPerClient) return this.createService();
    if (r < 0.88 && svcs.length > 0) return this.scale(this.rng.pick(svcs));
    if (svcs.length > 0) return this.remove('service', this.rng.pick(svcs));
    return this.createNetwork();
  }

  #name(prefix: string): string {
    return `${prefix}${this.index}-${++this.#n}`;
  }

  async #call(kind: KeyKind, key: string, action: 'create' | 'remove' | 'scale', after: KeyState, method: string, path: string, body?: unknown): Promise<Outcome> {
    const via = this.rng.pick(this.o.managers);
    const record = this.o.history.invoke({ client: this.index, kind, key, action, via: via.name, after });
    const reply = await callEngine(via.socket, method, path, body, this.o.callTimeoutMs);
    this.o.history.complete(record, reply.outcome, reply.detail);
    return reply.outcome;
  }

  /** A refused create left nothing behind: the key is done with. */
  #forgetIfRefused(list: string[], name: string, outcome: Outcome): void {
    if (outcome === 'fail') list.splice(list.indexOf(name), 1);
  }

  async createNetwork(): Promise<void> {
    const name = this.#name('fn');
    const labels = { [RUN_LABEL]: '1', owner: `c${this.index}`, n: String(this.rng.int(1000)) };
    this.#networks.push(name);
    const outcome = await this.#call('network', name, 'create', { present: true, labels }, 'POST', '/networks/create', { Name: name, Driver: 'overlay', Labels: labels });
    this.#forgetIfRefused(this.#networks, name, outcome);
  }

  async createService(): Promise<void> {
    const name = this.#name('fs');
    const labels = { [RUN_LABEL]: '1', owner: `c${this.index}` };
    const replicas = 1 + this.rng.int(2);
    this.#services.push(name);
    const outcome = await this.#call('service', name, 'create', { present: true, labels, replicas }, 'POST', '/services/create', {
      Name: name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: { Image: this.o.image, Command: ['sleep', '3600'], StopGracePeriod: 1_000_000_000 },
        Networks: [{ Target: this.o.serviceNetwork }],
        RestartPolicy: { Condition: 'any', Delay: 500_000_000 },
      },
      Mode: { Replicated: { Replicas: replicas } },
    });
    this.#forgetIfRefused(this.#services, name, outcome);
  }

  /** Reads the service through one manager, then updates its replica count with that version. */
  async scale(name: string): Promise<void> {
    const via = this.rng.pick(this.o.managers);
    const read = await callEngine(via.socket, 'GET', `/services/${name}`, undefined, this.o.callTimeoutMs);
    if (read.outcome !== 'ok') return; // a failed read changes nothing and is not part of the history
    const svc = read.body as { Version: { Index: number }; Spec: { Mode: { Replicated?: { Replicas: number } }; Labels?: Record<string, string> } };
    const replicas = this.rng.int(3);
    const current = this.o.history.state(name);
    if (!current.present) return;
    const spec = { ...svc.Spec, Mode: { Replicated: { Replicas: replicas } } };
    await this.#call('service', name, 'scale', { ...current, replicas }, 'POST', `/services/${name}/update?version=${svc.Version.Index}`, spec);
  }

  /** Removes a key whose last operation's outcome was unknown, once that operation can no longer land. */
  async settle(kind: KeyKind, name: string): Promise<void> {
    const list = kind === 'network' ? this.#networks : this.#services;
    const via = this.rng.pick(this.o.managers);
    const record = this.o.history.invoke({ client: this.index, kind, key: name, action: 'remove', via: via.name, after: { present: false } });
    const reply = await callEngine(via.socket, 'DELETE', `/${kind}s/${name}`, undefined, this.o.callTimeoutMs);
    this.o.history.complete(record, reply.outcome, reply.detail);
    if (reply.outcome === 'ok' || reply.status === 404) {
      this.o.history.settleAbsent(record);
      list.splice(list.indexOf(name), 1);
    }
  }

  async remove(kind: KeyKind, name: string): Promise<void> {
    const list = kind === 'network' ? this.#networks : this.#services;
    if ((await this.#call(kind, name, 'remove', { present: false }, 'DELETE', `/${kind}s/${name}`)) === 'ok') list.splice(list.indexOf(name), 1);
  }
}

/** Runs `clients` clients until isDone(); resolves when all have finished their last call. */
export async function runWorkload(rngFor: (client: number) => Prng, options: WorkloadOptions): Promise<void> {
  await Promise.all(Array.from({ length: options.clients }, (_, i) => new Client(i + 1, rngFor(i + 1), options).run()));
}
