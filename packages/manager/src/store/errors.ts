// Store refusals. They are results of applying a transaction (deterministic on every manager), not
// exceptions of the process, so each carries a stable code the API edge maps to Docker's status.

export type StoreErrorCode = 'not-found' | 'name-conflict' | 'id-conflict' | 'sequence-conflict';

export interface StoreRefusal {
  readonly code: StoreErrorCode;
  readonly message: string;
}

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(refusal: StoreRefusal) {
    super(refusal.message);
    this.name = 'StoreError';
    this.code = refusal.code;
  }
}

export const refusals = {
  notFound: (table: string, id: string): StoreRefusal => ({ code: 'not-found', message: `${table} ${id} not found` }),
  nameConflict: (noun: string, name: string): StoreRefusal => ({
    code: 'name-conflict',
    message: `rpc error: code = AlreadyExists desc = name conflicts with an existing object: ${noun} ${name} already exists`,
  }),
  idConflict: (table: string, id: string): StoreRefusal => ({ code: 'id-conflict', message: `${table} ${id} already exists` }),
  // Docker's wording for an optimistic-concurrency failure.
  sequence: (): StoreRefusal => ({ code: 'sequence-conflict', message: 'update out of sequence' }),
};
