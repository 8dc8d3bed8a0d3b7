// `docker import --change`: Dockerfile instructions that set the imported image's config, as dockerd's
// BuildFromConfig applies them (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR). The others dockerd
// takes (VOLUME, ONBUILD, STOPSIGNAL, HEALTHCHECK) ask for what shoal does not run; they are refused.
import { posix } from 'node:path';
import type { ImageRunConfig } from '@shoal/agent';
import { InvalidArgumentError } from '../api/errors.js';
import { UnsupportedFieldError } from '../api/json-shape.js';

type Config = { -readonly [K in keyof ImageRunConfig]: ImageRunConfig[K] };

const UNSUPPORTED: Readonly<Record<string, string>> = {
  volume: 'VOLUME (anonymous volumes)',
  onbuild: 'ONBUILD (build triggers)',
  stopsignal: 'STOPSIGNAL (stop signals)',
  healthcheck: 'HEALTHCHECK (health checks)',
};

/** The config the changes give, over `base`; throws dockerd's 400 for an instruction it refuses. */
export function applyImportChanges(base: ImageRunConfig, changes: readonly string[]): ImageRunConfig {
  const config: Config = { ...base };
  for (const line of changes.flatMap((c) => c.split('\n')).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [, word = '', rest = ''] = /^(\S+)\s*(.*)$/s.exec(line) ?? [];
    const instruction = word.toLowerCase();
    switch (instruction) {
      case 'cmd':
        config.Cmd = commandOf(rest);
        break;
      case 'entrypoint':
        config.Entrypoint = commandOf(rest);
        break;
      case 'env':
        config.Env = pairsOf('ENV', rest).reduce((env, [k, v]) => [...env.filter((e) => e.split('=')[0] !== k), `${k}=${v}`], [...(config.Env ?? [])]);
        break;
      case 'label':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(pairsOf('LABEL', rest)) };
        break;
      case 'expose':
        config['ExposedPorts'] = { ...((config['ExposedPorts'] as Record<string, object> | undefined) ?? {}), ...Object.fromEntries(wordsOf(rest).flatMap(portKeys).map((k) => [k, {}])) };
        break;
      case 'user':
        config.User = rest;
        break;
      case 'workdir':
        config.WorkingDir = posix.resolve(config.WorkingDir || '/', rest);
        break;
      default:
        if (instruction in UNSUPPORTED) throw new UnsupportedFieldError('the changes parameter', UNSUPPORTED[instruction]!);
        throw new InvalidArgumentError(`${instruction} is not a valid change command`);
    }
  }
  return config;
}

/** The exec form (a JSON list of strings) as it is; the shell form runs through /bin/sh -c. */
function commandOf(rest: string): string[] {
  try {
    const parsed = JSON.parse(rest) as unknown;
    if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) return parsed as string[];
  } catch {
    // Not JSON: the shell form.
  }
  return ['/bin/sh', '-c', rest];
}

/** `KEY=value KEY2="a b"`, or the legacy `KEY value with spaces`. */
function pairsOf(instruction: string, rest: string): [string, string][] {
  const words = wordsOf(rest);
  if (words.length === 0) throw new InvalidArgumentError(`${instruction} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const [, key = '', value = ''] = /^(\S+)\s*(.*)$/s.exec(rest) ?? [];
    return [[key, unquote(value)]];
  }
  return words.map((w) => {
    const at = w.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [unquote(w.slice(0, at)), unquote(w.slice(at + 1))];
  });
}

/** Words split at blanks outside quotes; the quotes stay, for unquote. */
function wordsOf(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      word += c + text[++i];
    } else if (quote !== undefined) {
      word += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      word += c;
      quote = c;
    } else if (/\s/.test(c)) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += c;
    }
  }
  if (word !== '') words.push(word);
  return words;
}

/** The shell's quote removal: quotes go, a backslash keeps the next character (not inside single quotes). */
function unquote(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quote !== "'" && i + 1 < text.length) out += text[++i];
    else if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (c === quote) quote = undefined;
    else out += c;
  }
  return out;
}

/** "80", "80/udp", "8000-8001/tcp" → Docker's "port/proto" keys. */
function portKeys(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  const first = Number(m?.[1]);
  const last = m?.[2] === undefined ? first : Number(m[2]);
  if (m === null || first < 1 || last > 65535 || last < first) throw new InvalidArgumentError(`Invalid containerPort: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${proto}`);
}
