// The `filters` query parameter: URL-encoded JSON, map[string]map[string]bool, or the legacy
// map[string][]string that dockerd still accepts. Each route declares the keys it understands; any
// other key is refused like dockerd does ("invalid filter 'x'").
import { InvalidArgumentError } from './errors.js';

export class Filters<K extends string = string> {
  // Per key, each value and whether it is switched on (dockerd keeps `false` entries: they are listed
  // by values() but never match exactly).
  readonly #fields: ReadonlyMap<K, ReadonlyMap<string, boolean>>;

  private constructor(fields: ReadonlyMap<K, ReadonlyMap<string, boolean>>) {
    this.#fields = fields;
  }

  static empty<K extends string>(): Filters<K> {
    return new Filters<K>(new Map());
  }

  /** Parses and validates; an absent or empty parameter gives an empty set of filters. */
  static parse<K extends string>(raw: string | null, accepted: readonly K[]): Filters<K> {
    if (raw === null || raw === '') return Filters.empty<K>();
    const fields = decodeFilters(raw);
    const allowed = new Set<string>(accepted);
    for (const key of fields.keys()) {
      if (!allowed.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
    }
    return new Filters(fields as Map<K, Map<string, boolean>>);
  }

  get size(): number {
    return this.#fields.size;
  }

  /** The filters as plain data (key → values), e.g. to hand to a control operation. */
  toRecord(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const key of this.keys()) out[key] = this.values(key);
    return out;
  }

  keys(): K[] {
    return [...this.#fields.keys()];
  }

  has(key: K): boolean {
    return this.#fields.has(key);
  }

  values(key: K): string[] {
    return [...(this.#fields.get(key)?.keys() ?? [])];
  }

  /** True when the key is not filtered, or `source` is one of its values. */
  exactMatch(key: K, source: string): boolean {
    const values = this.#fields.get(key);
    return values === undefined || values.size === 0 || values.get(source) === true;
  }

  /** Like exactMatch, but a value that is a prefix of `source` matches too (ID prefixes). */
  fuzzyMatch(key: K, source: string): boolean {
    if (this.exactMatch(key, source)) return true;
    for (const prefix of this.#fields.get(key)?.keys() ?? []) if (source.startsWith(prefix)) return true;
    return false;
  }

  /** Label filters: every value "k" or "k=v" must be present in `labels`. */
  matchLabels(key: K, labels: Readonly<Record<string, string>> | null | undefined): boolean {
    const values = this.#fields.get(key);
    if (values === undefined || values.size === 0) return true;
    for (const value of values.keys()) {
      const eq = value.indexOf('=');
      const name = eq < 0 ? value : value.slice(0, eq);
      if (labels == null || !Object.hasOwn(labels, name)) return false;
      if (eq >= 0 && labels[name] !== value.slice(eq + 1)) return false;
    }
    return true;
  }

  /** A boolean filter such as dangling=true; conflicting or non-boolean values are refused. */
  bool(key: K, fallback: boolean): boolean {
    const values = this.#fields.get(key);
    if (values === undefined) return fallback;
    const isTrue = values.get('true') === true || values.get('1') === true;
    const isFalse = values.get('false') === true || values.get('0') === true;
    if (isTrue === isFalse) {
      const shown = values.size === 0 ? '' : `=[${[...values.keys()].join(' ')}]`;
      throw new InvalidArgumentError(`invalid filter '${key}${shown}'`);
    }
    return isTrue;
  }
}

function decodeFilters(raw: string): Map<string, Map<string, boolean>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError('invalid filter');
  }
  if (!isPlainObject(parsed)) throw new InvalidArgumentError('invalid filter');
  const fields = new Map<string, Map<string, boolean>>();
  for (const [key, value] of Object.entries(parsed)) {
    fields.set(key, decodeValues(value));
  }
  return fields;
}

function decodeValues(value: unknown): Map<string, boolean> {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return new Map(value.map((v) => [v, true]));
  if (isPlainObject(value) && Object.values(value).every((v) => typeof v === 'boolean')) {
    return new Map(Object.entries(value) as [string, boolean][]);
  }
  if (value === null) return new Map();
  throw new InvalidArgumentError('invalid filter');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
