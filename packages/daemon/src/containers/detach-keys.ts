// Docker's detach keys: the key sequence a client types on an attached terminal to leave the process
// running and end the attach (default ctrl-p ctrl-q). Written as moby/term writes them ("ctrl-p,ctrl-q",
// "a", "DEL"); matched in the client's input as moby/term's escape proxy does since v0.5, across reads
// and inside one read alike. Pure.

/** ctrl-p ctrl-q: what an empty `detachKeys` means. */
export const DEFAULT_DETACH_KEYS: readonly number[] = [16, 17];

/** "ctrl-@" is 0, "ctrl-a" 1, … "ctrl-z" 26, then "ctrl-[" 27 … "ctrl-_" 31. */
const CTRL = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/** moby/term's ToBytes: comma-separated keys, each one character, "ctrl-X" or "DEL"; throws on any other. */
export function parseDetachKeys(keys: string): number[] {
  return keys.split(',').map((key) => {
    // Go indexes bytes: a single byte is the key itself, whatever it is.
    const bytes = Buffer.from(key, 'utf8');
    if (bytes.length === 1) return bytes[0]!;
    if (key === 'DEL') return 127;
    const code = key.startsWith('ctrl-') && key.length === 6 ? CTRL.indexOf(key[5]!) : -1;
    if (code < 0) throw new Error(`Unknown character: '${key}'`);
    return code;
  });
}

/**
 * Watches a client's input for the detach sequence. Bytes that might begin it are held back until the
 * next byte tells; when it does not complete, they go on with that byte. Once it completes, the
 * input before it is still forwarded and everything after it is not.
 */
export class DetachDetector {
  readonly #keys: readonly number[];
  /** How many keys of the sequence the held-back bytes matched. */
  #matched = 0;
  #detached = false;

  constructor(keys: readonly number[]) {
    if (keys.length === 0) throw new Error('a detach sequence needs at least one key');
    this.#keys = keys;
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** The bytes of `chunk` to forward now; `detached` turns true when the sequence was completed. */
  push(chunk: Uint8Array): Buffer {
    if (this.#detached) return Buffer.alloc(0);
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) {
          this.#detached = true;
          break;
        }
        continue;
      }
      // As moby/term: the held bytes go on with this one, which does not start a new match itself.
      out.push(...this.#keys.slice(0, this.#matched), byte);
      this.#matched = 0;
    }
    return Buffer.from(out);
  }
}
