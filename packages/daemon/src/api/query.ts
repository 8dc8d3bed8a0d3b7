// Typed access to query parameters with dockerd's parsing rules.
import { InvalidArgumentError } from './errors.js';
import { UnsupportedFieldError } from './json-shape.js';

export class Query {
  readonly #params: URLSearchParams;

  constructor(params: URLSearchParams) {
    this.#params = params;
  }

  has(name: string): boolean {
    return this.#params.has(name);
  }

  /** The first value, or undefined when absent. */
  string(name: string): string | undefined {
    return this.#params.get(name) ?? undefined;
  }

  all(name: string): string[] {
    return this.#params.getAll(name);
  }

  /** dockerd's BoolValue: absent, "", "0", "no", "false" and "none" are false, anything else true. */
  bool(name: string): boolean {
    const v = (this.#params.get(name) ?? '').trim().toLowerCase();
    return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
  }

  /** A non-negative integer such as `?version=42`; undefined when absent or empty. */
  uint(name: string): number | undefined {
    const v = this.#params.get(name);
    if (v === null || v === '') return undefined;
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
    }
    return Number(v);
  }

  /**
   * Refuses parameters of Docker's API that the route does not act on, when given a value that asks
   * for something (`since=…`, `details=1`); `what` names each in the user's words.
   */
  refuseUnsupported(what: Readonly<Record<string, string>>): void {
    for (const [name, description] of Object.entries(what)) {
      const v = (this.#params.get(name) ?? '').trim().toLowerCase();
      if (!(v === '' || v === '0' || v === 'false')) throw new UnsupportedFieldError(`the ${name} parameter`, description);
    }
  }
}
