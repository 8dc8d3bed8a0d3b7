// The subset of Go's text/template that docker users write in --format: field paths
// ({{.Spec.Role}}, {{.}}), functions (json, upper, lower, title, join, truncate, pad, index, len),
// pipes, {{if}}/{{else}}/{{end}}, {{range}}, and the {{- -}} trim markers.

export class TemplateError extends Error {
  readonly code = 'TEMPLATE_INVALID';
  constructor(message: string) {
    super(`template parsing error: ${message}`);
    this.name = 'TemplateError';
  }
}

type Arg = { kind: 'path'; path: string[] } | { kind: 'string'; value: string } | { kind: 'number'; value: number };
interface Command {
  name: string | null; // null: a bare argument
  args: Arg[];
}
type Pipeline = Command[];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if'; pipeline: Pipeline; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipeline: Pipeline; body: Node[]; otherwise: Node[] };

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (value) => goJson(value),
  upper: (value) => toText(value).toUpperCase(),
  lower: (value) => toText(value).toLowerCase(),
  title: (value) => toText(value).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (list, sep) => (Array.isArray(list) ? list.map(toText).join(toText(sep)) : toText(list)),
  truncate: (value, n) => [...toText(value)].slice(0, Number(n)).join(''),
  pad: (value, left, right) => ' '.repeat(Number(left)) + toText(value) + ' '.repeat(Number(right)),
  println: (...values) => values.map(toText).join(' ') + '\n',
  // Go's builtins: docker's typed maps give the zero value ("") for a missing key.
  index: (collection, ...keys) =>
    keys.reduce<unknown>((value, key) => {
      if (Array.isArray(value)) return value[Number(key)];
      if (value !== null && typeof value === 'object') return (value as Record<string, unknown>)[toText(key)] ?? '';
      throw new TemplateError(`error calling index: cannot index ${toText(value)}`);
    }, collection),
  len: (value) => (Array.isArray(value) || typeof value === 'string' ? value.length : value && typeof value === 'object' ? Object.keys(value).length : 0),
};

/** JSON like Go's json.Marshal: compact, with <, > and & escaped. */
export function goJson(value: unknown): string {
  return (JSON.stringify(value === undefined ? null : value) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/** How Go's fmt prints a value decoded from JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(toText).join(' ')}]`;
  if (typeof value === 'object') return `{${Object.values(value).map(toText).join(' ')}}`;
  return String(value);
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function tokenizeAction(source: string): string[] {
  const tokens: string[] = [];
  const pattern = /"(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+/g;
  for (const match of source.matchAll(pattern)) tokens.push(match[0]);
  return tokens;
}

function parseArg(token: string): Arg {
  if (token === '.') return { kind: 'path', path: [] };
  if (token.startsWith('.')) return { kind: 'path', path: token.slice(1).split('.') };
  if (token.startsWith('"')) return { kind: 'string', value: JSON.parse(token) as string };
  if (token.startsWith('`')) return { kind: 'string', value: token.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { kind: 'number', value: Number(token) };
  throw new TemplateError(`template: :1: unexpected <${token}> in operand`);
}

function parsePipeline(source: string): Pipeline {
  const tokens = tokenizeAction(source);
  if (tokens.length === 0) throw new TemplateError('template: :1: missing value for command');
  const commands: Pipeline = [];
  let current: string[] = [];
  const flush = (): void => {
    const [head, ...rest] = current;
    if (head === undefined) throw new TemplateError('template: :1: missing command');
    if (head in FUNCTIONS) commands.push({ name: head, args: rest.map(parseArg) });
    else if (rest.length === 0) commands.push({ name: null, args: [parseArg(head)] });
    else throw new TemplateError(`template: :1: function "${head}" not defined`);
    current = [];
  };
  for (const token of tokens) {
    if (token === '|') flush();
    else current.push(token);
  }
  flush();
  return commands;
}

interface Frame {
  nodes: Node[];
  close: (nodes: Node[], otherwise: Node[]) => Node | null;
  otherwise: Node[] | null;
}

/** Compiles a Go-template subset; throws TemplateError on syntax it does not know. */
export function compileTemplate(source: string): (data: unknown) => string {
  const parts = source.split(/({{-?\s*[\s\S]*?\s*-?}})/);
  const root: Frame = { nodes: [], close: () => null, otherwise: null };
  const stack: Frame[] = [root];
  let trimNext = false;
  parts.forEach((part, index) => {
    const frame = stack[stack.length - 1] as Frame;
    const target = frame.otherwise ?? frame.nodes;
    if (index % 2 === 0) {
      let text = trimNext ? part.replace(/^\s+/, '') : part;
      const next = parts[index + 1];
      if (next?.startsWith('{{-')) text = text.replace(/\s+$/, '');
      if (text !== '') target.push({ kind: 'text', text });
      trimNext = false;
      return;
    }
    trimNext = part.endsWith('-}}');
    const body = part.replace(/^{{-?\s*/, '').replace(/\s*-?}}$/, '');
    const [keyword] = body.split(/\s+/);
    if (keyword === 'if' || keyword === 'range') {
      const pipeline = parsePipeline(body.slice(keyword.length));
      stack.push({
        nodes: [],
        otherwise: null,
        close: (nodes, otherwise) =>
          keyword === 'if' ? { kind: 'if', pipeline, then: nodes, otherwise } : { kind: 'range', pipeline, body: nodes, otherwise },
      });
    } else if (keyword === 'else') {
      if (stack.length < 2 || frame.otherwise) throw new TemplateError('template: :1: unexpected {{else}}');
      frame.otherwise = [];
    } else if (keyword === 'end') {
      if (stack.length < 2) throw new TemplateError('template: :1: unexpected {{end}}');
      stack.pop();
      const parent = stack[stack.length - 1] as Frame;
      (parent.otherwise ?? parent.nodes).push(frame.close(frame.nodes, frame.otherwise ?? []) as Node);
    } else {
      target.push({ kind: 'action', pipeline: parsePipeline(body) });
    }
  });
  if (stack.length !== 1) throw new TemplateError('template: :1: unexpected EOF');
  return (data) => render(root.nodes, data);
}

function resolve(data: unknown, path: string[]): unknown {
  let value = data;
  for (const field of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(field in value)) {
      throw new TemplateError(`template: :1: executing "" at <.${path.join('.')}>: can't evaluate field ${field}`);
    }
    value = (value as Record<string, unknown>)[field];
  }
  return value;
}

function evaluate(pipeline: Pipeline, data: unknown): unknown {
  let previous: unknown[] = [];
  for (const command of pipeline) {
    const args = command.args.map((arg) => (arg.kind === 'path' ? resolve(data, arg.path) : arg.value));
    const all = [...args, ...previous];
    const fn = command.name === null ? null : FUNCTIONS[command.name];
    previous = [fn ? fn(...all) : all[0]];
  }
  return previous[0];
}

function render(nodes: Node[], data: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') out += toText(evaluate(node.pipeline, data));
    else if (node.kind === 'if') out += render(truthy(evaluate(node.pipeline, data)) ? node.then : node.otherwise, data);
    else {
      const value = evaluate(node.pipeline, data);
      const items = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.keys(value).sort().map((k) => (value as Record<string, unknown>)[k]) : [];
      out += items.length === 0 ? render(node.otherwise, data) : items.map((item) => render(node.body, item)).join('');
    }
  }
  return out;
}
