// The replicated command: one transaction per Raft entry. It is applied deterministically on every
// manager, so everything that varies (time, IDs) is chosen by the proposer and carried inside it.
import type { Draft, TableName, Tables } from './objects.js';

export type Action = {
  [T in TableName]:
    | { readonly op: 'create'; readonly table: T; readonly object: Draft<Tables[T]> }
    | { readonly op: 'update'; readonly table: T; readonly object: Draft<Tables[T]>; readonly expectedVersion?: number }
    | { readonly op: 'delete'; readonly table: T; readonly id: string; readonly expectedVersion?: number };
}[TableName];

export interface Transaction {
  readonly actions: readonly Action[];
  /** RFC 3339 time chosen by the proposer, used for CreatedAt/UpdatedAt. */
  readonly time: string;
}

export function encodeTransaction(txn: Transaction): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(txn));
}

export function decodeTransaction(data: Uint8Array): Transaction {
  const txn = JSON.parse(new TextDecoder().decode(data)) as Transaction;
  if (!Array.isArray(txn.actions) || typeof txn.time !== 'string') {
    throw new Error('replicated entry is not a store transaction');
  }
  return txn;
}
