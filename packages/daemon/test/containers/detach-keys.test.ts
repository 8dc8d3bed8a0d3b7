import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DETACH_KEYS, DetachDetector, parseDetachKeys } from '../../src/containers/detach-keys.js';

test('detach keys parse as moby/term writes them: ctrl-X, single characters, DEL; anything else is refused', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [...DEFAULT_DETACH_KEYS]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-_'), [0, 1, 26, 27, 28, 31]);
  assert.deepEqual(parseDetachKeys('a,X,DEL'), [97, 88, 127]);
  for (const bad of ['ctrl-', 'ctrl-1', 'ctrl-A', 'Ctrl-p', 'del', 'ab', 'ctrl-p,', '']) {
    assert.throws(() => parseDetachKeys(bad), { message: /^Unknown character: '/ }, bad);
  }
});

test('the detector forwards input, holds back a possible start of the sequence, and detaches on the whole of it', () => {
  const typed = (keys: readonly number[], chunks: readonly (string | number[])[]) => {
    const d = new DetachDetector(keys);
    const out = chunks.map((c) => d.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c)).toString('latin1'));
    return { out, detached: d.detached };
  };
  // One key at a time, as a terminal types them.
  assert.deepEqual(typed(DEFAULT_DETACH_KEYS, ['ls\r', [16], [17]]), { out: ['ls\r', '', ''], detached: true });
  // All in one read: what comes before the sequence still goes through; nothing after it does.
  assert.deepEqual(typed(DEFAULT_DETACH_KEYS, [[104, 105, 16, 17, 120]]), { out: ['hi'], detached: true });
  // A start that does not complete is given back with the byte that broke it.
  assert.deepEqual(typed(DEFAULT_DETACH_KEYS, [[16], 'x']), { out: ['', '\x10x'], detached: false });
  // As moby/term: the byte that breaks a match does not start a new one.
  assert.deepEqual(typed(DEFAULT_DETACH_KEYS, [[16, 16, 17]]), { out: ['\x10\x10\x11'], detached: false });
  assert.deepEqual(typed([24], ['a', [24], 'more']), { out: ['a', '', ''], detached: true });
  assert.throws(() => new DetachDetector([]));
});
