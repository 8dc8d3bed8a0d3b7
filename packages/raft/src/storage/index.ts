export { LevelLogStore, EMPTY_HARD_STATE, type DurableState, type SaveRequest, type WriteOptions } from './level-log-store.js';
export { CorruptStorageError, StorageClosedError, type CorruptionKind } from './errors.js';
