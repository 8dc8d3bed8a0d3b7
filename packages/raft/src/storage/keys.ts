// LevelDB key layout. Entry keys are a one-byte prefix and the index as 8 big-endian bytes, so the
// database's byte order is log order and a range scan walks the log.

export const HARD_STATE_KEY = Buffer.from('h');
export const RANGE_KEY = Buffer.from('r');
export const SNAPSHOT_META_KEY = Buffer.from('s');
export const SNAPSHOT_DATA_KEY = Buffer.from('d');

const ENTRY_PREFIX = 0x65; // 'e'
const ENTRY_KEY_BYTES = 9;

export function entryKey(index: number): Buffer {
  const key = Buffer.alloc(ENTRY_KEY_BYTES);
  key[0] = ENTRY_PREFIX;
  key.writeUIntBE(index, 3, 6);
  return key;
}

/** Bounds for iterating every entry key and nothing else. */
export const ENTRY_KEYS_FROM = Buffer.from([ENTRY_PREFIX]);
export const ENTRY_KEYS_TO = Buffer.from([ENTRY_PREFIX + 1]);

/** The index of an entry key, or null when the key is not a well-formed entry key. */
export function indexOfEntryKey(key: Uint8Array): number | null {
  if (key.length !== ENTRY_KEY_BYTES || key[0] !== ENTRY_PREFIX || key[1] !== 0 || key[2] !== 0) return null;
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readUIntBE(3, 6);
}

export function entryLabel(index: number): string {
  return `entry/${index}`;
}
