// The images swarm tasks need, pulled by the node that runs them before their containers are made.
// A node that already has the image (by digest when the reference pins one) does not ask the
// registry; tasks of one service starting together on a node share one pull.
import type { ImageStore } from '../images/store.js';
import type { RegistryOptions } from './endpoints.js';
import { completePull, resolvePull } from './pull.js';

export interface TaskImages {
  /** Resolves once `image` is in the node's store; rejects with the registry's reason. */
  ensure(image: string): Promise<void>;
}

export class TaskImagePuller implements TaskImages {
  readonly #store: ImageStore;
  readonly #options: RegistryOptions;
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(store: ImageStore, options: RegistryOptions) {
    this.#store = store;
    this.#options = options;
  }

  ensure(image: string): Promise<void> {
    if (this.#has(image)) return Promise.resolve();
    const running = this.#inFlight.get(image);
    if (running !== undefined) return running;
    const pull = (async () => {
      const resolved = await resolvePull({ reference: image, auth: {} }, this.#options);
      await completePull(this.#store, resolved, () => undefined);
    })().finally(() => this.#inFlight.delete(image));
    this.#inFlight.set(image, pull);
    return pull;
  }

  #has(image: string): boolean {
    try {
      this.#store.resolve(image);
      return true;
    } catch {
      return false;
    }
  }
}
