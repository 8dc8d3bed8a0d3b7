import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, jsonLogLine, parseLogLine, readLog } from '../../src/runtime/json-log.js';

function tempLog(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'x-json.log');
}

async function collect(it: AsyncIterable<{ stream: string; data: Buffer }>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(`${l.stream}:${l.data.toString()}`);
  return out;
}

test('the splitter keeps newlines, holds partial lines and flushes them at the end', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('a\nb'), ['a\n']);
  assert.deepEqual(s.push('c\nd'), ['bc\n']);
  assert.deepEqual(s.flush(), ['d']);
  assert.deepEqual(s.push('x'.repeat(20_000)).length, 1, 'an overlong line is flushed');
});

test('json-file lines round-trip; torn lines are skipped', () => {
  const line = jsonLogLine('stderr', 'oops\n', '2026-01-01T00:00:00.000Z');
  assert.equal(line, '{"log":"oops\\n","stream":"stderr","time":"2026-01-01T00:00:00.000Z"}\n');
  assert.equal(parseLogLine(line.trim())?.data.toString(), 'oops\n');
  assert.equal(parseLogLine('{"log":"x'), undefined);
});

test("conmon's k8s-file lines parse to the same lines: F ends a line, P is a part of one, UTC becomes Z", () => {
  const full = parseLogLine('2026-11-27T10:06:12.753214072+00:00 stdout F hello world');
  assert.deepEqual(full && { stream: full.stream, time: full.time, data: full.data.toString() }, { stream: 'stdout', time: '2026-11-27T10:06:12.753214072Z', data: 'hello world\n' });
  assert.equal(parseLogLine('2026-11-27T10:06:12.754108812+00:00 stderr P part')?.data.toString(), 'part');
  assert.equal(parseLogLine('2026-11-27T10:06:12.754108812+00:00 stdout F ')?.data.toString(), '\n', 'an empty line');
  assert.equal(parseLogLine('2026-11-27T10:06:12+00:00 stdin F x'), undefined);
  assert.equal(parseLogLine('garbage'), undefined);
});

test('a log read from an offset yields only what was written after it', async (t) => {
  const path = tempLog(t);
  writeFileSync(path, '2026-11-27T10:00:00.1+00:00 stdout F old\n');
  const from = Buffer.byteLength('2026-11-27T10:00:00.1+00:00 stdout F old\n');
  appendFileSync(path, '2026-11-27T10:00:01.1+00:00 stdout P ne\n2026-11-27T10:00:01.2+00:00 stdout F w\n');
  assert.deepEqual(await collect(readLog(path, { from })), ['stdout:ne', 'stdout:w\n']);
});

test('reading a log applies the stream filter before tail', async (t) => {
  const path = tempLog(t);
  writeFileSync(path, ['1', '2', '3'].map((n) => jsonLogLine('stdout', `${n}\n`, 't')).join('') + jsonLogLine('stderr', 'e\n', 't'));
  assert.deepEqual(await collect(readLog(path, {})), ['stdout:1\n', 'stdout:2\n', 'stdout:3\n', 'stderr:e\n']);
  assert.deepEqual(await collect(readLog(path, { tail: 2, accept: (l) => l.stream === 'stdout' })), ['stdout:2\n', 'stdout:3\n']);
  assert.deepEqual(await collect(readLog(path, { tail: 0 })), []);
  assert.deepEqual(await collect(readLog(join(path, '..', 'missing.log'), {})), []);
});

test('following a log yields appended lines and ends once the container is no longer live', async (t) => {
  const path = tempLog(t);
  writeFileSync(path, jsonLogLine('stdout', 'first\n', 't'));
  let live = true;
  const lines: string[] = [];
  const done = (async () => {
    for await (const l of readLog(path, { follow: true, live: () => live, pollMs: 10 })) lines.push(l.data.toString());
  })();
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(path, jsonLogLine('stdout', 'second\n', 't'));
  await new Promise((r) => setTimeout(r, 50));
  live = false;
  appendFileSync(path, jsonLogLine('stdout', 'last\n', 't'));
  await done;
  assert.deepEqual(lines, ['first\n', 'second\n', 'last\n']);
});
