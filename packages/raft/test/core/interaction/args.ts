// Argument helpers for scenario commands.
import type { Directive } from '../datadriven.js';

export function positional(d: Directive): string[] {
  return d.args.filter((a) => a.values.length === 0).map((a) => a.key);
}

export function firstPositional(d: Directive): string {
  const p = positional(d)[0];
  if (p === undefined) throw new Error(`${d.command}: missing node id`);
  return p;
}

export function list(d: Directive, key: string): string[] | undefined {
  return d.args.find((a) => a.key === key)?.values.slice();
}

export function str(d: Directive, key: string): string | undefined {
  return list(d, key)?.[0];
}

export function int(d: Directive, key: string): number | undefined {
  const v = str(d, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${d.command}: ${key} must be an integer, got ${v}`);
  return n;
}

export function bool(d: Directive, key: string): boolean | undefined {
  const v = str(d, key);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new Error(`${d.command}: ${key} must be true or false, got ${v}`);
  return v === 'true';
}

/** Positional arguments, or every node when there are none. */
export function idsOrAll(d: Directive, all: string[]): string[] {
  const p = positional(d);
  return p.length > 0 ? p : all;
}
