// What every command handler gets: a lazily created client, output streams and a clock.

import { EngineClient } from '../api/client.js';
import { DaemonError, MultiError, UsageError } from '../api/errors.js';
import { resolveHost } from '../api/host.js';
import { compileTemplate } from '../format/template.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  io: Output;
  env: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch; injectable so "x minutes ago" is testable. */
  nowMs(): number;
  /** The client for the host chosen by -H/--host or DOCKER_HOST. */
  client(host: string | undefined): EngineClient;
  /** Set when stdout is a terminal (progress bars are drawn in place only then). */
  terminal?: { columns: number } | undefined;
  /** The bytes piped to stdin (import -, load without -i); absent when nothing can be read. */
  stdin?: NodeJS.ReadableStream | undefined;
}

export function processContext(): CommandContext {
  const clients = new Map<string, EngineClient>();
  return {
    io: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    env: process.env,
    nowMs: () => Date.now(),
    terminal: process.stdout.isTTY ? { columns: process.stdout.columns ?? 80 } : undefined,
    stdin: process.stdin,
    client(hostFlag) {
      const host = resolveHost(hostFlag, process.env);
      let client = clients.get(host.url);
      if (!client) clients.set(host.url, (client = new EngineClient(host)));
      return client;
    },
  };
}

export interface GlobalArgs {
  host?: string | undefined;
}

/** Resolves `self` to the local node ID through GET /info, as node inspect/ps do. */
export async function resolveSelf(client: EngineClient, ref: string): Promise<string> {
  if (ref !== 'self') return ref;
  const info = await client.get<{ Swarm?: { NodeID?: string } }>('/info');
  return info.Swarm?.NodeID || 'self';
}

/**
 * docker's inspect.Inspect: fetch every reference, print what was found (a JSON array
 * indented by 4, or one template line per object), then report every failure.
 */
export async function inspectAll(
  ctx: CommandContext,
  refs: string[],
  format: string | undefined,
  fetch: (ref: string) => Promise<unknown>,
): Promise<void> {
  const found: unknown[] = [];
  const errors: Error[] = [];
  for (const ref of refs) {
    try {
      found.push(await fetch(ref));
    } catch (error) {
      if (!(error instanceof DaemonError || error instanceof UsageError)) throw error;
      errors.push(error);
    }
  }
  if (format && format !== 'json') {
    const template = compileTemplate(format.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
    ctx.io.out(found.map((item) => template(withGoIdField(item)) + '\n').join(''));
  } else {
    ctx.io.out(JSON.stringify(found, null, 4).replace(/^\[\]$/, '[]') + '\n');
  }
  if (errors.length > 0) throw new MultiError(errors);
}

/**
 * docker formats inspect output from its Go structs, whose `ID` field the API's JSON calls `Id`
 * (networks, containers, images), so `{{.ID}}` works there; hidden from `{{json .}}` as in docker.
 */
function withGoIdField(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || !('Id' in item) || 'ID' in item) return item;
  return Object.defineProperty({ ...item }, 'ID', { value: item.Id, enumerable: false });
}

/** Runs `action` for every argument, printing successes as they happen and failing at the end. */
export async function forEachArg(args: string[], action: (arg: string) => Promise<void>): Promise<void> {
  const errors: Error[] = [];
  for (const arg of args) {
    try {
      await action(arg);
    } catch (error) {
      if (!(error instanceof DaemonError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new MultiError(errors);
}

/** Parses repeated key=value flags into a record ("key" alone maps to ""). */
export function keyValues(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const index = value.indexOf('=');
    if (index === -1) out[value] = '';
    else out[value.slice(0, index)] = value.slice(index + 1);
  }
  return out;
}

/** `--filter a=b --filter a=c` → {"a":{"b":true,"c":true}}, the Engine API's filter JSON. */
export function filtersJson(values: readonly string[] | undefined): string | undefined {
  if (!values || values.length === 0) return undefined;
  const filters: Record<string, Record<string, boolean>> = {};
  for (const value of values) {
    const index = value.indexOf('=');
    if (index === -1) throw new UsageError('bad format of filter (expected name=value)');
    const key = value.slice(0, index).trim().toLowerCase();
    (filters[key] ??= {})[value.slice(index + 1).trim()] = true;
  }
  // Go marshals maps with sorted keys; the daemon sees the same bytes docker sends.
  const sorted: Record<string, Record<string, boolean>> = {};
  for (const key of Object.keys(filters).sort()) sorted[key] = filters[key] as Record<string, boolean>;
  return JSON.stringify(sorted);
}
