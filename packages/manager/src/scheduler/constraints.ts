// Placement constraints (`--constraint node.labels.zone==a`), evaluated like swarmkit: keys node.id,
// node.hostname, node.role, node.platform.os/arch, node.labels.*, engine.labels.*; operators == and
// !=; values compared case-insensitively; a missing label never equals and always differs.
import type { NodeObject } from '../store/objects.js';

export interface Constraint {
  readonly key: string;
  readonly equal: boolean;
  readonly value: string;
}

export class ConstraintSyntaxError extends Error {
  readonly code = 'invalid-constraint';
}

export function parseConstraint(expr: string): Constraint {
  const m = /^\s*([\w.-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(expr);
  if (!m || m[3] === '') throw new ConstraintSyntaxError(`invalid constraint: ${expr}`);
  return { key: m[1]!.toLowerCase().startsWith('node.labels.') || m[1]!.toLowerCase().startsWith('engine.labels.') ? keepLabelCase(m[1]!) : m[1]!.toLowerCase(), equal: m[2] === '==', value: m[3]! };
}

function keepLabelCase(key: string): string {
  const dot = key.indexOf('.labels.') + '.labels.'.length;
  return key.slice(0, dot).toLowerCase() + key.slice(dot);
}

function nodeValue(node: NodeObject, key: string): string | undefined {
  const description = node.Description as { Platform?: { OS?: string; Architecture?: string }; Engine?: { Labels?: Record<string, string> } };
  switch (key) {
    case 'node.id':
      return node.ID;
    case 'node.hostname':
      return node.Description.Hostname;
    case 'node.role':
      return node.Spec.Role;
    case 'node.platform.os':
      return description.Platform?.OS;
    case 'node.platform.arch':
      return description.Platform?.Architecture;
  }
  if (key.startsWith('node.labels.')) return node.Spec.Labels[key.slice('node.labels.'.length)];
  if (key.startsWith('engine.labels.')) return description.Engine?.Labels?.[key.slice('engine.labels.'.length)];
  return undefined;
}

export function satisfies(node: NodeObject, constraint: Constraint): boolean {
  const value = nodeValue(node, constraint.key);
  const same = value !== undefined && value.toLowerCase() === constraint.value.toLowerCase();
  return constraint.equal ? same : !same;
}

/** All constraints hold; an unparsable one holds nowhere. */
export function satisfiesAll(node: NodeObject, exprs: readonly string[] | undefined): boolean {
  for (const expr of exprs ?? []) {
    let c: Constraint;
    try {
      c = parseConstraint(expr);
    } catch {
      return false;
    }
    if (!satisfies(node, c)) return false;
  }
  return true;
}
