// Base 36 (`0-9a-z`) big-integer text, the alphabet of swarmkit's IDs and join tokens.

const BASE36_RE = /^[0-9a-z]+$/;

/** The bytes read as one unsigned big-endian integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** `value` in base 36, left-padded with `0` to at least `width` characters. */
export function toBase36(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError('base 36 text of a negative number');
  return value.toString(36).padStart(width, '0');
}

/** The integer written by `text`, or null when `text` is not lower-case base 36. */
export function parseBase36(text: string): bigint | null {
  if (!BASE36_RE.test(text)) return null;
  let value = 0n;
  for (const ch of text) value = value * 36n + BigInt(parseInt(ch, 36));
  return value;
}
