// Decoding request bodies the way dockerd's Go structs do: each field has a type; a value of another
// type is refused with encoding/json's message ("json: cannot unmarshal string into Go struct field
// Spec.Raft.ElectionTick of type int"); null leaves a field unset; unknown fields are dropped. Only
// what passes reaches the control operations, so nothing half-valid can be stored.
// A field of Docker's API that shoal does not act on is declared `unsupported`: any value other than
// Go's zero value (or a value the field lists as meaning "as shoal does anyway") is refused with a 400
// that names the field, so a request is never accepted and then silently not carried out.
import { InvalidArgumentError } from './errors.js';

export type Shape =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly goType: string; readonly min: number; readonly max: number }
  | { readonly kind: 'float'; readonly goType: string }
  /** Any JSON value: inside `unsupported` (where only zero or not matters), or checked by the field's reader. */
  | { readonly kind: 'any' }
  | {
      readonly kind: 'unsupported';
      readonly of: Shape;
      readonly what: string;
      readonly accepts: (value: unknown) => boolean;
      /** Whether Go's zero value passes; not where presence alone asks for something (`"GlobalJob": {}`). */
      readonly zeroPasses: boolean;
    }
  /** A field dockerd too reads and then does nothing with (what the client will do, outputs sent back): type-checked, then dropped. */
  | { readonly kind: 'ignored'; readonly of: Shape; readonly why: string }
  | { readonly kind: 'object'; readonly goType: string; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly kind: 'array'; readonly of: Shape }
  | { readonly kind: 'map'; readonly of: Shape };

export const str: Shape = { kind: 'string' };
export const bool: Shape = { kind: 'bool' };
/** Integers beyond 2^53 cannot be kept exactly in JSON numbers here, so they are refused too. */
export const int = (goType: 'int' | 'int64'): Shape => ({ kind: 'int', goType, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
export const uint = (goType: 'uint16' | 'uint32' | 'uint64'): Shape => ({
  kind: 'int',
  goType,
  min: 0,
  max: goType === 'uint16' ? 0xffff : goType === 'uint32' ? 0xffff_ffff : Number.MAX_SAFE_INTEGER,
});
export const float = (goType: 'float32' | 'float64'): Shape => ({ kind: 'float', goType });
export const anyJson: Shape = { kind: 'any' };
/**
 * A field shoal does not act on yet. `what` says in the user's words what it is (e.g. "bind mounts
 * (-v, --mount)"); `accepts` lets through non-zero values that ask for what shoal does anyway (e.g. a
 * restart policy "no" for a standalone container).
 */
export const unsupported = (what: string, of: Shape = anyJson, accepts: (value: unknown) => boolean = () => false): Shape => ({
  kind: 'unsupported',
  of,
  what,
  accepts,
  zeroPasses: true,
});
export const ignored = (why: string, of: Shape = anyJson): Shape => ({ kind: 'ignored', of, why });
/** A field whose mere presence, even empty, asks for something shoal does not do. */
export const unsupportedEvenEmpty = (what: string): Shape => ({ kind: 'unsupported', of: anyJson, what, accepts: () => false, zeroPasses: false });
export type ObjectShape = Extract<Shape, { kind: 'object' }>;
export const obj = (goType: string, fields: Readonly<Record<string, Shape>>): ObjectShape => ({ kind: 'object', goType, fields });
export const arr = (of: Shape): Shape => ({ kind: 'array', of });
export const map = (of: Shape): Shape => ({ kind: 'map', of });

/**
 * Checks `value` against `shape` and returns a copy with only the known fields (matched by exact name,
 * else case-insensitively, like encoding/json). Throws InvalidArgumentError with Go's wording.
 */
export function decodeShape<T>(value: unknown, shape: ObjectShape): T {
  if (value === null || value === undefined) return {} as T;
  if (!isPlainObject(value)) throw new InvalidArgumentError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${shape.goType}`);
  return decode(value, shape, { struct: shape.goType.replace(/^.*\./, ''), path: [] }) as T;
}

interface At {
  readonly struct: string;
  readonly path: readonly string[];
}

function decode(value: unknown, shape: Shape, at: At): unknown {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(value, 'string', at);
      // encoding/json replaces a lone UTF-16 surrogate with U+FFFD; JSON.parse keeps it, and a string
      // that is not valid Unicode would then reach names, labels and files.
      return wellFormed(value);
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(value, 'bool', at);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < shape.min || value > shape.max) throw mismatch(value, shape.goType, at);
      return value;
    case 'array': {
      if (!Array.isArray(value)) throw mismatch(value, `[]${goTypeOf(shape.of)}`, at);
      // A null element is Go's zero value of the element type.
      return value.map((v) => (v === null ? zero(shape.of) : decode(v, shape.of, at)));
    }
    case 'map': {
      if (!isPlainObject(value)) throw mismatch(value, `map[string]${goTypeOf(shape.of)}`, at);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === null) continue;
        Object.defineProperty(out, wellFormed(k), { value: decode(v, shape.of, at), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'float':
      if (typeof value !== 'number') throw mismatch(value, shape.goType, at);
      return value;
    case 'any':
      return value;
    case 'object':
      return decodeObject(value, shape, at);
    case 'ignored':
      return decode(value, shape.of, at);
    case 'unsupported': {
      const decoded = decode(value, shape.of, at);
      if (!(shape.zeroPasses && isZero(decoded, shape.of)) && !shape.accepts(decoded)) throw new UnsupportedFieldError(at.path.join('.'), shape.what);
      return decoded;
    }
  }
}

/** The 400 for a field of Docker's API that shoal does not act on. */
export class UnsupportedFieldError extends InvalidArgumentError {
  readonly field: string;
  constructor(field: string, what: string) {
    super(`shoal does not support ${field} (${what}) yet`);
    this.field = field;
  }
}

/**
 * Go's zero value, as a client that leaves a field unset sends it: "", 0, false, null, [], an empty
 * map, or a struct of zeros (an object of unknown shape counts as a struct).
 */
export function isZero(value: unknown, shape: Shape = anyJson): boolean {
  if (value === null || value === undefined || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (!isPlainObject(value)) return false;
  if (shape.kind === 'map') return Object.keys(value).length === 0;
  const fields = shape.kind === 'object' ? shape.fields : {};
  return Object.entries(value).every(([k, v]) => isZero(v, fields[k]));
}

function decodeObject(value: unknown, shape: ObjectShape, at: At): Record<string, unknown> {
  if (!isPlainObject(value)) throw mismatch(value, shape.goType, at);
  const out: Record<string, unknown> = {};
  const names = Object.keys(shape.fields);
  for (const [key, v] of Object.entries(value)) {
    const name = names.includes(key) ? key : names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined || v === null || v === undefined) continue;
    const field = shape.fields[name] as Shape;
    const decoded = decode(v, field, { struct: at.struct, path: [...at.path, name] });
    if (field.kind !== 'ignored') out[name] = decoded;
  }
  return out;
}

/** Go's zero value of a shape's type, as a client that leaves the field unset sends it. */
export function zero(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0;
    case 'object':
    case 'map':
      return {};
    case 'array':
      return [];
    case 'float':
      return 0;
    case 'any':
      return null;
    case 'unsupported':
    case 'ignored':
      return zero(shape.of);
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** String.prototype.toWellFormed, which Node 20's TypeScript lib does not declare. */
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd');
}

function mismatch(value: unknown, goType: string, at: At): InvalidArgumentError {
  // Like encoding/json: a number that does not fit an integer type is quoted; any other mismatch names the JSON kind.
  const what = typeof value === 'number' && /^u?int/.test(goType) ? `number ${value}` : jsonKind(value);
  const field = at.path.length === 0 ? `Go value` : `Go struct field ${at.struct}.${at.path.join('.')}`;
  return new InvalidArgumentError(`json: cannot unmarshal ${what} into ${field} of type ${goType}`);
}

function goTypeOf(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
    case 'object':
      return shape.goType;
    case 'any':
      return 'interface {}';
    case 'unsupported':
    case 'ignored':
      return goTypeOf(shape.of);
    case 'array':
      return `[]${goTypeOf(shape.of)}`;
    case 'map':
      return `map[string]${goTypeOf(shape.of)}`;
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
