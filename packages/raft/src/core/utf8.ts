// UTF-8 without TextEncoder: the core compiles with no host types (tsconfig.core.json), and
// TextEncoder is a host API, not part of the ECMAScript library.

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8; returns null on malformed input instead of guessing. */
export function utf8Decode(bytes: Uint8Array): string | null {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    const len = b0 < 0x80 ? 1 : b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) return null;
    let cp = len === 1 ? b0 : b0 & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const b = bytes[i + k] ?? 0;
      if ((b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    text += String.fromCodePoint(cp);
    i += len;
  }
  return text;
}
