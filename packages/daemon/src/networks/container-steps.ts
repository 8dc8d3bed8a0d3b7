// What the network sides of standalone containers (swarm overlays, local bridges) share: one network
// change at a time per container, and rewriting a running container's resolv.conf.
import { readFile, writeFile } from 'node:fs/promises';

/** Runs steps one at a time per key; a failed step does not block the next. */
export class KeyedSerial {
  readonly #queues = new Map<string, Promise<unknown>>();

  run<T>(key: string, step: () => Promise<T>): Promise<T> {
    const next = (this.#queues.get(key) ?? Promise.resolve()).then(step, step);
    const settled = next.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return next;
  }
}

/** A container that joins its first network with embedded DNS learns about 127.0.0.11, as dockerd rewrites resolv.conf. */
export async function pointResolvConf(path: string, content: string): Promise<void> {
  if ((await readFile(path, 'utf8').catch(() => '')) === content) return;
  await writeFile(path, content); // in place: the file is bind-mounted into the running container
}
