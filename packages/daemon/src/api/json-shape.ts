// Decoding request bodies the way dockerd's Go structs do: each field has a type; a value of another
// type is refused with encoding/json's message ("json: cannot unmarshal string into Go struct field
// Spec.Raft.ElectionTick of type int"); null leaves a field unset; unknown fields are dropped. Only
// what passes reaches the control operations, so nothing half-valid can be stored.
import { InvalidArgumentError } from './errors.js';

export type Shape =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly goType: string; readonly min: number; readonly max: number }
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
      return value;
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
        Object.defineProperty(out, k, { value: decode(v, shape.of, at), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'object':
      return decodeObject(value, shape, at);
  }
}

function decodeObject(value: unknown, shape: ObjectShape, at: At): Record<string, unknown> {
  if (!isPlainObject(value)) throw mismatch(value, shape.goType, at);
  const out: Record<string, unknown> = {};
  const names = Object.keys(shape.fields);
  for (const [key, v] of Object.entries(value)) {
    const name = names.includes(key) ? key : names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined || v === null || v === undefined) continue;
    out[name] = decode(v, shape.fields[name] as Shape, { struct: at.struct, path: [...at.path, name] });
  }
  return out;
}

function zero(shape: Shape): unknown {
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
  }
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
      return shape.goType;
    case 'object':
      return shape.goType;
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
