import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignColumns } from '../src/format/tabwriter.js';
import { DurationParseError, formatDurationNs, humanDuration, parseDurationNs } from '../src/format/duration.js';
import { compileTemplate, TemplateError } from '../src/format/template.js';
import { bytesSize, ellipsis, goTimeString, naturalCompare, prettyPrint, truncateId } from '../src/format/text.js';

test('alignColumns pads tab-terminated cells to max(10, widest + 3) and leaves the last cell alone', () => {
  const text = 'ID\tNAME\tDRIVER\tSCOPE\n62bcc56c3ff9\tdocker_gwbridge\tbridge\tlocal\n';
  assert.equal(
    alignColumns(text),
    'ID             NAME              DRIVER    SCOPE\n62bcc56c3ff9   docker_gwbridge   bridge    local\n',
  );
});

test('alignColumns keeps trailing padding of empty terminated cells, as docker node ps shows', () => {
  assert.equal(alignColumns('A\tERROR\tPORTS\nx\t\t'), 'A         ERROR     PORTS\nx                   ');
});

test('durations parse and print like Go time.Duration', () => {
  const cases: [string, number][] = [
    ['5s', 5e9],
    ['1m30s', 90e9],
    ['2160h0m0s', 7776000000000000],
    ['500ms', 5e8],
    ['1.5s', 1.5e9],
    ['0s', 0],
  ];
  for (const [text, ns] of cases) {
    assert.equal(parseDurationNs(text), ns, text);
    assert.equal(formatDurationNs(ns), text, text);
  }
  assert.equal(parseDurationNs('1h'), 3600e9);
  assert.equal(formatDurationNs(3600e9), '1h0m0s');
  assert.equal(formatDurationNs(1500), '1.5µs');
  assert.throws(() => parseDurationNs('5'), (error: unknown) => error instanceof DurationParseError && error.message === 'time: invalid duration "5"');
  assert.throws(() => parseDurationNs('abc'), DurationParseError);
});

test('humanDuration matches go-units for the values docker info and ps print', () => {
  assert.equal(humanDuration(5e9), '5 seconds');
  assert.equal(humanDuration(7776000000000000), '3 months');
  assert.equal(humanDuration(0.5e9), 'Less than a second');
  assert.equal(humanDuration(90e9), 'About a minute');
  assert.equal(humanDuration(120e9), '2 minutes');
  assert.equal(humanDuration(3600e9), 'About an hour');
});

test('text helpers: capitalise, truncate IDs, ellipsis, sizes, natural order, Go time strings', () => {
  assert.equal(prettyPrint('ready'), 'Ready');
  assert.equal(prettyPrint('REACHABLE'), 'Reachable');
  assert.equal(truncateId('zl5dqa21ylx9abzsygvj56abr'), 'zl5dqa21ylx9');
  assert.equal(truncateId('sha256:e6799bb43a8da927245aa'), 'e6799bb43a8d');
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 4), 'abc');
  assert.equal(bytesSize(25276510208), '23.54GiB');
  assert.equal(bytesSize(1024), '1KiB');
  assert.deepEqual(['node10', 'node2', 'node1'].sort(naturalCompare), ['node1', 'node2', 'node10']);
  assert.equal(goTimeString('2026-11-26T11:59:45.876049687Z'), '2026-11-26 11:59:45.876049687 +0000 UTC');
  assert.equal(goTimeString('2026-11-26T11:59:45Z'), '2026-11-26 11:59:45 +0000 UTC');
});

test('templates: field paths, json, if/else, range, trim markers and pipes', () => {
  const node = { ID: 'abc', Spec: { Role: 'manager', Labels: { b: '2', a: '1' } }, Status: { State: 'ready', Addr: '10.0.0.1' }, Self: true };
  assert.equal(compileTemplate('{{.Spec.Role}} {{json .Status}}')(node), 'manager {"State":"ready","Addr":"10.0.0.1"}');
  assert.equal(compileTemplate('{{.ID}} {{if .Self}}*{{else}} {{ end }}')(node), 'abc *');
  assert.equal(compileTemplate('{{if .Spec.Nope}}x{{end}}')({ Spec: { Nope: '' } }), '');
  assert.equal(compileTemplate('{{range .Spec.Labels}}[{{.}}]{{end}}')(node), '[1][2]');
  assert.equal(compileTemplate('a\n  {{- .ID -}}  \nb')(node), 'aabcb');
  assert.equal(compileTemplate('{{.Spec.Role | upper}}')(node), 'MANAGER');
  assert.equal(compileTemplate('{{json .}}')({ a: '<x>' }), '{"a":"\\u003cx\\u003e"}');
});

test('templates: an unknown field or function is a TemplateError naming it', () => {
  assert.throws(
    () => compileTemplate('{{.Foo}}')({ ID: 'x' }),
    (error: unknown) => error instanceof TemplateError && /can't evaluate field Foo/.test(error.message),
  );
  assert.throws(() => compileTemplate('{{frob .ID}}'), (error: unknown) => error instanceof TemplateError && /"frob" not defined/.test(error.message));
  assert.throws(() => compileTemplate('{{if .ID}}x'), TemplateError);
});

test('templates index maps and lists and take len, as docker users write for labels', () => {
  const render = compileTemplate('{{index .Spec.Labels "tier"}}|{{index .Spec.Labels "none"}}|{{len .Spec.Labels}}|{{index .Ports 1}}');
  assert.equal(render({ Spec: { Labels: { tier: 'web' } }, Ports: [80, 443] }), 'web||1|443');
  assert.throws(() => compileTemplate('{{index .Name 0}}')({ Name: 5 }), /cannot index 5/);
});
