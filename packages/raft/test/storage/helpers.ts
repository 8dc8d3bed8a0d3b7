import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Entry } from '../../src/core/types.js';

/** A fresh directory removed when the test ends, pass or fail. */
export async function tempDir(t: TestContext, prefix = 'shoal-raft-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A deterministic payload, so a reader can check an entry's bytes from its index alone. */
export function payload(index: number, bytes = 32): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (index * 31 + i) & 0xff;
  return out;
}

export function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: payload(i) });
  return out;
}
