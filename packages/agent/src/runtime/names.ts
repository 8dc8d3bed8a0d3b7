// Docker's container reference resolution: full ID, then name (with or without its "/"), then a
// unique ID prefix. Pure.

export interface Named {
  readonly id: string;
  readonly name: string;
}

export type Resolution<T> = { readonly kind: 'found'; readonly item: T } | { readonly kind: 'none' } | { readonly kind: 'ambiguous' };

export function resolveContainer<T extends Named>(items: Iterable<T>, ref: string): Resolution<T> {
  if (ref === '') return { kind: 'none' };
  const all = [...items];
  const byId = all.find((c) => c.id === ref);
  if (byId !== undefined) return { kind: 'found', item: byId };
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const byName = all.find((c) => c.name === name);
  if (byName !== undefined) return { kind: 'found', item: byName };
  if (!/^[0-9a-f]+$/.test(ref)) return { kind: 'none' };
  const byPrefix = all.filter((c) => c.id.startsWith(ref));
  if (byPrefix.length === 1) return { kind: 'found', item: byPrefix[0]! };
  return byPrefix.length === 0 ? { kind: 'none' } : { kind: 'ambiguous' };
}

/** Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export function validContainerName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name);
}
