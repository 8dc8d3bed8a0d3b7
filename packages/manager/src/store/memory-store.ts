// The manager's replicated state: tables of objects, changed only by applying committed transactions
// in log order. Reads return frozen objects that callers may share but never mutate.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { refusals, type StoreRefusal } from './errors.js';
import { TABLE_NAMES, UNIQUE_NAMES, type AnyObject, type TableName, type Tables, type TaskObject } from './objects.js';
import type { Action, Transaction } from './transaction.js';

/** How long a snapshot serialises before it lets the event loop run. */
const SNAPSHOT_SLICE_MS = 10;

export interface Change {
  readonly table: TableName;
  readonly kind: 'create' | 'update' | 'delete';
  readonly object: AnyObject;
}

export interface CommitEvent {
  readonly index: number;
  readonly changes: readonly Change[];
}

export type ApplyResult = { readonly ok: true } | { readonly ok: false; readonly refusal: StoreRefusal };

type TableMaps = { [T in TableName]: Map<string, Tables[T]> };

/** Read access, handed to control operations and loops. */
export interface StoreView {
  get<T extends TableName>(table: T, id: string): Tables[T] | undefined;
  list<T extends TableName>(table: T): Tables[T][];
  findByName<T extends TableName>(table: T, name: string): Tables[T] | undefined;
  /** The tasks placed on a node, in any state. */
  tasksOnNode(nodeId: string): TaskObject[];
  readonly appliedIndex: number;
}

/** Reads over a set of tables: a MemoryStore's own, or a copy of them (MemoryStore.frozenView). */
class TablesView implements StoreView {
  protected tables: TableMaps;
  protected index: number;
  /**
   * Task IDs by node, built on first use: each agent's assignment stream starts from its node's
   * tasks, and a new leader opens thousands at once (a scan of every task each was O(nodes × tasks)).
   */
  protected taskIdsByNode: Map<string, Set<string>> | null = null;

  constructor(tables: TableMaps, index: number) {
    this.tables = tables;
    this.index = index;
  }

  get appliedIndex(): number {
    return this.index;
  }

  get<T extends TableName>(table: T, id: string): Tables[T] | undefined {
    return this.tables[table].get(id) as Tables[T] | undefined;
  }

  list<T extends TableName>(table: T): Tables[T][] {
    return [...this.tables[table].values()] as Tables[T][];
  }

  findByName<T extends TableName>(table: T, name: string): Tables[T] | undefined {
    for (const object of this.tables[table].values()) {
      if (nameOf(object) === name) return object as Tables[T];
    }
    return undefined;
  }

  tasksOnNode(nodeId: string): TaskObject[] {
    if (this.taskIdsByNode === null) {
      this.taskIdsByNode = new Map();
      for (const task of this.tables.task.values()) this.indexTask(task);
    }
    return [...(this.taskIdsByNode.get(nodeId) ?? [])].map((id) => this.tables.task.get(id)!);
  }

  protected indexTask(task: TaskObject): void {
    if (this.taskIdsByNode === null || task.NodeID === undefined) return;
    let ids = this.taskIdsByNode.get(task.NodeID);
    if (ids === undefined) this.taskIdsByNode.set(task.NodeID, (ids = new Set()));
    ids.add(task.ID);
  }

  protected unindexTask(task: TaskObject): void {
    if (this.taskIdsByNode === null || task.NodeID === undefined) return;
    const ids = this.taskIdsByNode.get(task.NodeID);
    ids?.delete(task.ID);
    if (ids?.size === 0) this.taskIdsByNode.delete(task.NodeID);
  }
}

export class MemoryStore extends TablesView {
  #listeners = new Set<(event: CommitEvent) => void>();

  constructor() {
    super(emptyTables(), 0);
  }

  /**
   * The store as it is now, unchanged by later commits: for a pass that gives the event loop turns
   * while it reads (objects are frozen and shared; only the tables are copied).
   */
  frozenView(): StoreView {
    const t = this.tables;
    return new TablesView({ cluster: new Map(t.cluster), node: new Map(t.node), network: new Map(t.network), service: new Map(t.service), task: new Map(t.task) }, this.index);
  }

  /** Subscribes to every applied commit; returns the disposer. */
  subscribe(listener: (event: CommitEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies one committed transaction at Raft index `index`: all actions or none. A refusal is a
   * normal outcome (the same on every manager), reported to whoever proposed it.
   */
  apply(index: number, txn: Transaction): ApplyResult {
    if (index <= this.index) {
      throw new Error(`store: apply of index ${index} at or below applied index ${this.index}`);
    }
    this.index = index;
    const staged = new Map<string, AnyObject | null>();
    const changes: Change[] = [];
    for (const action of txn.actions) {
      const outcome = this.#stage(action, index, txn.time, staged);
      if ('code' in outcome) return { ok: false, refusal: outcome };
      changes.push(outcome);
    }
    for (const change of changes) {
      const table = this.tables[change.table] as Map<string, AnyObject>;
      if (change.table === 'task') {
        const previous = this.tables.task.get(change.object.ID);
        if (previous !== undefined) this.unindexTask(previous);
        if (change.kind !== 'delete') this.indexTask(change.object as TaskObject);
      }
      if (change.kind === 'delete') table.delete(change.object.ID);
      else table.set(change.object.ID, change.object);
    }
    if (changes.length > 0) this.#emit({ index, changes });
    return { ok: true };
  }

  /** Marks an index as applied when its entry carries no transaction (e.g. a leader's no-op). */
  skip(index: number): void {
    if (index > this.index) this.index = index;
  }

  snapshot(): Uint8Array {
    return Buffer.from([...this.#snapshotPieces()].join(''));
  }

  /**
   * The same bytes as snapshot(), of the state at the call, serialised a slice at a time so that the
   * event loop stays free: at 100,000 tasks one JSON.stringify of the store held every manager's loop
   * for ~1.4 s, Raft heartbeats included (bench/scale).
   */
  async snapshotInTurns(sliceMs = SNAPSHOT_SLICE_MS): Promise<Uint8Array> {
    const parts: Buffer[] = [];
    let sliceStart = performance.now();
    for (const piece of this.#snapshotPieces()) {
      parts.push(Buffer.from(piece));
      if (performance.now() - sliceStart >= sliceMs) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    return Buffer.concat(parts);
  }

  /**
   * The snapshot's JSON text, {"appliedIndex":…,"tables":{"<table>":[…],…}}, in pieces of one object
   * each, of the state when called: the objects are frozen, so the references of the moment keep that
   * state while later commits replace them.
   */
  #snapshotPieces(): Generator<string> {
    const appliedIndex = this.index;
    const tables = TABLE_NAMES.map((name) => [name, this.list(name)] as const);
    return (function* () {
      yield `{"appliedIndex":${JSON.stringify(appliedIndex)},"tables":{`;
      for (const [t, [name, objects]] of tables.entries()) {
        yield `${t > 0 ? ',' : ''}${JSON.stringify(name)}:[`;
        for (let i = 0; i < objects.length; i++) yield `${i > 0 ? ',' : ''}${JSON.stringify(objects[i])}`;
        yield ']';
      }
      yield '}}';
    })();
  }

  restore(data: Uint8Array): void {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { appliedIndex: number; tables: Record<string, AnyObject[]> };
    const tables = emptyTables();
    for (const name of TABLE_NAMES) {
      const map = tables[name] as Map<string, AnyObject>;
      for (const object of parsed.tables[name] ?? []) map.set(object.ID, deepFreeze(object));
    }
    this.tables = tables;
    this.taskIdsByNode = null;
    this.index = parsed.appliedIndex;
    this.#emit({ index: parsed.appliedIndex, changes: [] });
  }

  #stage(action: Action, index: number, time: string, staged: Map<string, AnyObject | null>): Change | StoreRefusal {
    const key = (id: string) => `${action.table}/${id}`;
    const current = (id: string): AnyObject | undefined => {
      const s = staged.get(key(id));
      return s === null ? undefined : (s ?? this.tables[action.table].get(id));
    };
    if (action.op === 'delete') {
      const existing = current(action.id);
      if (!existing) return refusals.notFound(action.table, action.id);
      if (action.expectedVersion !== undefined && existing.Version.Index !== action.expectedVersion) return refusals.sequence();
      staged.set(key(action.id), null);
      return { table: action.table, kind: 'delete', object: existing };
    }
    const draft = action.object;
    const existing = current(draft.ID);
    if (action.op === 'create' && existing) return refusals.idConflict(action.table, draft.ID);
    if (action.op === 'update') {
      if (!existing) return refusals.notFound(action.table, draft.ID);
      if (action.expectedVersion !== undefined && existing.Version.Index !== action.expectedVersion) return refusals.sequence();
    }
    const noun = UNIQUE_NAMES[action.table];
    const name = nameOf(draft);
    if (noun && name !== undefined) {
      const holder = this.#nameHolder(action.table, name, staged);
      if (holder !== undefined && holder !== draft.ID) return refusals.nameConflict(noun, name);
    }
    const object = deepFreeze({
      ...draft,
      Version: { Index: index },
      CreatedAt: existing?.CreatedAt ?? draft.CreatedAt ?? time,
      UpdatedAt: time,
    }) as AnyObject;
    staged.set(key(draft.ID), object);
    return { table: action.table, kind: action.op, object };
  }

  #nameHolder(table: TableName, name: string, staged: Map<string, AnyObject | null>): string | undefined {
    for (const [k, v] of staged) {
      if (v && k.startsWith(`${table}/`) && nameOf(v) === name) return v.ID;
    }
    for (const object of this.tables[table].values()) {
      if (staged.get(`${table}/${object.ID}`) === null) continue;
      if (nameOf(object) === name) return object.ID;
    }
    return undefined;
  }

  #emit(event: CommitEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function emptyTables(): TableMaps {
  return { cluster: new Map(), node: new Map(), network: new Map(), service: new Map(), task: new Map() };
}

function nameOf(object: object): string | undefined {
  const spec = (object as { Spec?: unknown }).Spec as { Name?: unknown } | undefined;
  return typeof spec?.Name === 'string' ? spec.Name : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
