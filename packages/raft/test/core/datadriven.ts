// Scenario files in the style of cockroachdb/datadriven (used by etcd-io/raft's testdata/*.txt):
//
//   # comment
//   command pos1 key=value key=(a,b)
//   ----
//   expected output, ended by a blank line
//
// Output that itself contains blank lines is fenced by a doubled separator ("----" twice, before and
// after). With REWRITE=1 the file is rewritten with the actual outputs instead of being compared.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

export interface CmdArg {
  readonly key: string;
  /** `key=v` gives ['v'], `key=(a,b)` gives ['a','b'], a positional `x` has key 'x' and no values. */
  readonly values: readonly string[];
}

export interface Directive {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly args: readonly CmdArg[];
  readonly text: string;
}

type Segment = { readonly kind: 'verbatim'; readonly text: string } | { readonly kind: 'directive'; readonly directive: Directive; readonly expected: string };

const SEP = '----';

function parseList(v: string): string[] {
  if (v.startsWith('(') && v.endsWith(')')) {
    const inner = v.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((s) => s.trim());
  }
  return [v];
}

export function parseCommand(file: string, line: number, text: string): Directive {
  const [command, ...tokens] = text.trim().split(/\s+/);
  const args = tokens.map((tok): CmdArg => {
    const eq = tok.indexOf('=');
    if (eq < 0) return { key: tok, values: [] };
    return { key: tok.slice(0, eq), values: parseList(tok.slice(eq + 1)) };
  });
  return { file, line, command: command ?? '', args, text: text.trim() };
}

function parse(file: string, content: string): Segment[] {
  const lines = content.split('\n');
  const segments: Segment[] = [];
  let verbatim: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const isCommand = line.trim() !== '' && !line.startsWith('#') && lines[i + 1] === SEP;
    if (!isCommand) {
      verbatim.push(line);
      i++;
      continue;
    }
    if (verbatim.length > 0) segments.push({ kind: 'verbatim', text: verbatim.join('\n') });
    verbatim = [];
    const directive = parseCommand(file, i + 1, line);
    const out: string[] = [];
    i += 2;
    if (lines[i] === SEP) {
      i++;
      while (i < lines.length && !(lines[i] === SEP && lines[i + 1] === SEP)) out.push(lines[i++]!);
      i += 2;
    } else {
      while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    }
    segments.push({ kind: 'directive', directive, expected: out.join('\n') });
  }
  if (verbatim.length > 0) segments.push({ kind: 'verbatim', text: verbatim.join('\n') });
  return segments;
}

function format(directive: Directive, output: string): string {
  const body = output === '' ? 'ok' : output;
  if (body.split('\n').some((l) => l.trim() === '')) return `${directive.text}\n${SEP}\n${SEP}\n${body}\n${SEP}\n${SEP}`;
  return `${directive.text}\n${SEP}\n${body}`;
}

/** Runs every directive of `file` through `run`, comparing (or with REWRITE=1, rewriting) outputs. */
export function runDataDriven(file: string, run: (d: Directive) => string): void {
  const segments = parse(file, readFileSync(file, 'utf8'));
  const rewrite = process.env['REWRITE'] === '1';
  const out: string[] = [];
  for (const seg of segments) {
    if (seg.kind === 'verbatim') {
      out.push(seg.text);
      continue;
    }
    const actual = run(seg.directive).replace(/\s+$/, '');
    out.push(format(seg.directive, actual));
    if (!rewrite) {
      assert.equal(actual === '' ? 'ok' : actual, seg.expected, `${file}:${seg.directive.line}: ${seg.directive.text}`);
    }
  }
  if (rewrite) writeFileSync(file, out.join('\n'));
}
