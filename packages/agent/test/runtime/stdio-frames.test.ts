import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameError, FrameKind, decodeResize, encodeFrame, encodeResize } from '../../src/runtime/stdio-frames.js';
import { shellQuote, underTerminal } from '../../src/runtime/tty.js';

test('frames survive any chunking of the byte stream, in order', () => {
  const wire = Buffer.concat([
    encodeFrame(FrameKind.stdout, Buffer.from('hello\n')),
    encodeFrame(FrameKind.stderr, Buffer.from('')),
    encodeFrame(FrameKind.stderr, Buffer.alloc(70_000, 0x61)),
    encodeResize(40, 120),
    encodeFrame(FrameKind.closeStdin),
  ]);
  for (const size of [1, 3, 7, 8, 9, 4096, wire.length]) {
    const decoder = new FrameDecoder();
    const frames = [];
    for (let at = 0; at < wire.length; at += size) frames.push(...decoder.push(wire.subarray(at, at + size)));
    assert.deepEqual(frames.map((f) => [f.kind, f.payload.length]), [[1, 6], [2, 0], [2, 70_000], [3, 4], [4, 0]], `chunks of ${size}`);
    assert.equal(frames[0]!.payload.toString(), 'hello\n');
    assert.deepEqual(decodeResize(frames[3]!.payload), { rows: 40, cols: 120 });
    assert.equal(decoder.pendingBytes, 0);
  }
});

test('the header is stdcopy: stream byte, three zeros, big-endian length', () => {
  assert.deepEqual([...encodeFrame(FrameKind.stderr, Buffer.from('ab'))], [2, 0, 0, 0, 0, 0, 0, 2, 0x61, 0x62]);
  assert.deepEqual(decodeResize(encodeResize(100_000, -5).subarray(8)), { rows: 0xffff, cols: 0 }, 'sizes clamp to uint16');
});

test('a corrupt header is refused with FrameError', () => {
  const bad = Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 0]);
  assert.throws(() => new FrameDecoder().push(bad), (err: unknown) => err instanceof FrameError && err.code === 'bad-frame' && /kind 9/.test(err.message));
});

test('underTerminal runs the command under script, quoted, with the size set first', () => {
  assert.deepEqual(underTerminal(['runc', 'exec', '--process', "/a b/it's.json"], { rows: 30, cols: 90 }), [
    'script', '-qfe', '-E', 'never', '-c', `stty rows 30 cols 90; exec runc exec --process '/a b/it'\\''s.json'`, '/dev/null',
  ]);
  assert.equal(underTerminal(['true']).at(-2), 'exec true');
  assert.equal(shellQuote('$(reboot)'), `'$(reboot)'`);
});
