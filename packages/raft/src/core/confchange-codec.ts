// The data of a 'conf-change' entry: the ConfChange as UTF-8 JSON, so a log dump stays readable.
import { InvalidConfChangeError } from './errors.js';
import type { ConfChange } from './types.js';
import { utf8Decode, utf8Encode } from './utf8.js';

const CONF_CHANGE_TYPES: ReadonlySet<string> = new Set(['add-voter', 'add-learner', 'remove']);

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return utf8Encode(JSON.stringify({ type: cc.type, nodeId: cc.nodeId }));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const text = utf8Decode(data);
  if (text === null) throw new InvalidConfChangeError('conf change entry is not valid UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InvalidConfChangeError(`conf change entry is not JSON: ${text}`, { cause });
  }
  const { type, nodeId } = (parsed ?? {}) as { type?: unknown; nodeId?: unknown };
  if (typeof type !== 'string' || !CONF_CHANGE_TYPES.has(type) || typeof nodeId !== 'string' || nodeId === '') {
    throw new InvalidConfChangeError(`conf change entry has no valid type and nodeId: ${text}`);
  }
  return { type, nodeId } as ConfChange;
}
