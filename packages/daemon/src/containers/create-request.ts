// POST /containers/create: Docker's Config + HostConfig body turned into the runtime's ContainerSpec.
import { randomBytes, randomInt } from 'node:crypto';
import type { ContainerSpec } from '@shoal/agent';
import { containerCreateShape } from '../api/container-shape.js';
import { InvalidArgumentError } from '../api/errors.js';
import { decodeShape } from '../api/json-shape.js';
import { checkLogDriver } from './log-driver.js';
import { generatedName } from './names-generator.js';
import { parsePortBindings } from './port-bindings.js';
import { restartPolicyFromBody } from './restart-request.js';

export interface CreateBody {
  readonly Image?: unknown;
  readonly Cmd?: unknown;
  readonly Entrypoint?: unknown;
  readonly Env?: unknown;
  readonly WorkingDir?: unknown;
  readonly User?: unknown;
  readonly Hostname?: unknown;
  readonly Tty?: unknown;
  readonly OpenStdin?: unknown;
  readonly StdinOnce?: unknown;
  readonly Labels?: unknown;
  readonly ExposedPorts?: unknown;
  readonly HostConfig?: {
    readonly NetworkMode?: unknown;
    readonly AutoRemove?: unknown;
    readonly ConsoleSize?: unknown;
    readonly PortBindings?: unknown;
    readonly PublishAllPorts?: unknown;
    readonly RestartPolicy?: { readonly Name?: string; readonly MaximumRetryCount?: number } | null;
    readonly GroupAdd?: readonly string[] | null;
  } | null;
  readonly NetworkingConfig?: { readonly EndpointsConfig?: Readonly<Record<string, unknown>> };
}

/** Where a container's network namespace comes from: the host's, or (undefined) a new one. */
export type NetnsChooser = (networkMode: string) => string | undefined;

/** What the node knows that a create body does not say. */
export interface CreateContext {
  readonly netnsFor: NetnsChooser;
  /** Host ports other containers here publish (hostPortKey), which a random one avoids. */
  readonly takenHostPorts?: ReadonlySet<string>;
  /** The image's ExposedPorts keys ("80/tcp"), for `-P`. */
  readonly imageExposedPorts?: (image: string) => readonly string[];
  /** Whether a container on the node has that name, for a generated one to avoid. Default: none has. */
  readonly nameTaken?: (name: string) => boolean;
}

export function specFromCreateBody(body: unknown, name: string | undefined, context: CreateContext): ContainerSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgumentError('config cannot be empty in order to create a container');
  checkLogDriver((body as { HostConfig?: { LogConfig?: unknown } }).HostConfig?.LogConfig);
  const b = decodeShape<CreateBody>(body, containerCreateShape);
  if (typeof b.Image !== 'string' || b.Image === '') throw new InvalidArgumentError('No image specified');
  const endpoints = Object.keys(b.NetworkingConfig?.EndpointsConfig ?? {});
  // As dockerd before API 1.44: one network at create, the others with `docker network connect`.
  if (endpoints.length > 1) throw new InvalidArgumentError(`Container cannot be connected to network endpoints: ${endpoints.join(', ')}`);
  const networkMode = optString(b.HostConfig?.NetworkMode, 'HostConfig.NetworkMode') || 'default';
  const bindings = b.HostConfig?.PublishAllPorts === true ? publishAll(b, context.imageExposedPorts?.(b.Image) ?? []) : b.HostConfig?.PortBindings;
  const ports = parsePortBindings(bindings, context.takenHostPorts);
  const autoRemove = b.HostConfig?.AutoRemove === true;
  const restartPolicy = restartPolicyFromBody(b.HostConfig?.RestartPolicy, autoRemove);
  const id = randomBytes(32).toString('hex');
  return {
    id,
    name: name ?? generatedName(id, context.nameTaken ?? (() => false), randomInt),
    image: b.Image,
    entrypoint: optStrings(b.Entrypoint, 'Entrypoint'),
    cmd: optStrings(b.Cmd, 'Cmd'),
    env: optStrings(b.Env, 'Env'),
    workingDir: optString(b.WorkingDir, 'WorkingDir') || undefined,
    user: optString(b.User, 'User') || undefined,
    ...((b.HostConfig?.GroupAdd ?? []).length > 0 ? { groupAdd: [...b.HostConfig!.GroupAdd!] } : {}),
    hostname: optString(b.Hostname, 'Hostname') || undefined,
    tty: b.Tty === true,
    openStdin: b.OpenStdin === true,
    stdinOnce: b.StdinOnce === true,
    consoleSize: consoleSize(b.HostConfig?.ConsoleSize),
    labels: optLabels(b.Labels),
    networkMode,
    ...networkAliases(b, networkMode),
    netnsPath: context.netnsFor(networkMode),
    autoRemove,
    ...(ports.length > 0 ? { ports } : {}),
    ...(restartPolicy !== undefined ? { restartPolicy } : {}),
  };
}

/** dockerd's refusal of aliases on a network that is not user-defined (also checked by ID in the bridge layer). */
export const ALIAS_ON_PREDEFINED = 'network-scoped alias is supported only for containers in user defined networks';

/** `--network-alias`: the aliases of the network-mode network's entry in NetworkingConfig.EndpointsConfig. */
function networkAliases(b: CreateBody, networkMode: string): { networkAliases?: string[] } {
  const entries = Object.entries(b.NetworkingConfig?.EndpointsConfig ?? {}) as [string, { Aliases?: string[] } | undefined][];
  const given = entries.filter(([, e]) => (e?.Aliases ?? []).length > 0);
  if (given.length === 0) return {};
  if (['default', 'bridge', 'host', 'none'].includes(networkMode)) {
    throw new InvalidArgumentError(ALIAS_ON_PREDEFINED);
  }
  const [network, endpoint] = given[0]!;
  if (network !== networkMode) throw new InvalidArgumentError(`aliases are given for network ${network}, but the container is created on ${networkMode}`);
  return { networkAliases: [...endpoint!.Aliases!] };
}

/** `-P`: every port the container exposes (the image's and `--expose`'s) and not bound already gets a random host port. */
function publishAll(b: CreateBody, imageExposed: readonly string[]): Record<string, unknown> {
  const given = b.HostConfig?.PortBindings;
  const bindings: Record<string, unknown> = typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given } : {};
  const exposed = typeof b.ExposedPorts === 'object' && b.ExposedPorts !== null ? Object.keys(b.ExposedPorts) : [];
  for (const key of [...imageExposed, ...exposed]) {
    const full = key.includes('/') ? key : `${key}/tcp`;
    if (bindings[full] === undefined || bindings[full] === null) bindings[full] = [{ HostIp: '', HostPort: '' }];
  }
  return bindings;
}

/** Docker's ConsoleSize is [height, width]; [0, 0] (the CLI's default without a terminal) means none. */
export function consoleSize(v: unknown): { rows: number; cols: number } | undefined {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n > 0 && n <= 0xffff)) return undefined;
  return { rows: v[0] as number, cols: v[1] as number };
}

function optString(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidArgumentError(`invalid ${field}: expected a string`);
  return v;
}

/** null/absent → undefined (the image's default); a string is one argument, as Docker's StrSlice. */
function optStrings(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new InvalidArgumentError(`invalid ${field}: expected a list of strings`);
}

function optLabels(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string')) return v as Record<string, string>;
  throw new InvalidArgumentError('invalid Labels: expected a map of strings');
}
