// The ServiceSpec that `service create` sends, built from docker's flags: container, placement,
// resources, restart policy, update/rollback configs, mode and endpoint. Sections docker leaves
// out unless one of their flags was given stay out here too (the daemon fills its defaults).

import type { Argv } from 'yargs';
import { UsageError } from '../api/errors.js';
import { parseDurationNs } from '../format/duration.js';
import { keyValues } from './context.js';

export interface PortConfig {
  Protocol?: string;
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: string;
}

/** docker's --publish: "8080:80[/udp]" or "published=8080,target=80,protocol=tcp,mode=ingress". */
export function parsePublish(value: string, flag = '-p, --publish'): PortConfig {
  if (value.includes('=')) {
    const fields = keyValues(value.split(','));
    const port: PortConfig = { Protocol: fields['protocol'] ?? 'tcp', TargetPort: Number(fields['target'] ?? 0) };
    if (fields['published'] !== undefined) port.PublishedPort = Number(fields['published']);
    port.PublishMode = fields['mode'] ?? 'ingress';
    if (!port.TargetPort) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: missing mandatory field 'target'`);
    return port;
  }
  const match = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(value);
  if (!match) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid port format`);
  const port: PortConfig = { Protocol: match[3] ?? 'tcp', TargetPort: Number(match[2]) };
  if (match[1] !== undefined) port.PublishedPort = Number(match[1]);
  port.PublishMode = 'ingress';
  return port;
}

/** go-units RAMInBytes: "64m", "1.5GiB", "512" (binary multiples). */
export function parseMemoryBytes(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!match) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid size: '${value}'`);
  const power = ' kmgtp'.indexOf((match[2] ?? ' ').toLowerCase());
  return Math.trunc(Number(match[1]) * 1024 ** power);
}

/** docker's NanoCPUs: "0.5" → 500000000. */
export function parseNanoCpus(value: string, flag: string): number {
  const cpus = Number(value);
  if (value.trim() === '' || !Number.isFinite(cpus) || cpus < 0) {
    throw new UsageError(`invalid argument "${value}" for "${flag}" flag: failed to parse ${value} as a rational number`);
  }
  const nanos = cpus * 1e9;
  if (Math.abs(nanos - Math.round(nanos)) > 1e-6) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: value is too precise`);
  return Math.round(nanos);
}

export interface RolloutFlags {
  parallelism?: number | undefined;
  delay?: string | undefined;
  monitor?: string | undefined;
  'failure-action'?: string | undefined;
  'max-failure-ratio'?: number | undefined;
  order?: string | undefined;
}

/** swarmkit's defaults, which docker starts from once any --update-* or --rollback-* flag is given. */
export function rolloutDefaults(): Record<string, unknown> {
  return { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' };
}

const FAILURE_ACTIONS: Record<string, readonly string[]> = { update: ['pause', 'continue', 'rollback'], rollback: ['pause', 'continue'] };

/** Applies the given --update-* and --rollback-* values onto `config` (docker's UpdateConfig/RollbackConfig). */
export function applyRollout(config: Record<string, unknown>, flags: RolloutFlags, prefix: 'update' | 'rollback'): Record<string, unknown> {
  const out = { ...config };
  if (flags.parallelism !== undefined) out['Parallelism'] = flags.parallelism;
  if (flags.delay !== undefined) out['Delay'] = parseDurationNs(flags.delay);
  if (flags.monitor !== undefined) out['Monitor'] = parseDurationNs(flags.monitor);
  const action = flags['failure-action'];
  if (action !== undefined) {
    if (!(FAILURE_ACTIONS[prefix] ?? []).includes(action)) {
      throw new UsageError(`invalid argument "${action}" for "--${prefix}-failure-action" flag: must be one of ${(FAILURE_ACTIONS[prefix] ?? []).join(', ')}`);
    }
    out['FailureAction'] = action;
  }
  if (flags['max-failure-ratio'] !== undefined) out['MaxFailureRatio'] = flags['max-failure-ratio'];
  if (flags.order !== undefined) {
    if (flags.order !== 'start-first' && flags.order !== 'stop-first') {
      throw new UsageError(`invalid argument "${flags.order}" for "--${prefix}-order" flag: must be one of start-first, stop-first`);
    }
    out['Order'] = flags.order;
  }
  return out;
}

/** The --update-* and --rollback-* flags of one prefix, picked out of yargs' arguments. */
export function rolloutFlags(args: Record<string, unknown>, prefix: 'update' | 'rollback'): RolloutFlags | undefined {
  const pick = <T>(name: string): T | undefined => args[`${prefix}-${name}`] as T | undefined;
  const flags: RolloutFlags = {
    parallelism: pick('parallelism'),
    delay: pick('delay'),
    monitor: pick('monitor'),
    'failure-action': pick('failure-action'),
    'max-failure-ratio': pick('max-failure-ratio'),
    order: pick('order'),
  };
  return Object.values(flags).some((value) => value !== undefined) ? flags : undefined;
}

export interface RestartFlags {
  'restart-condition'?: string | undefined;
  'restart-delay'?: string | undefined;
  'restart-max-attempts'?: number | undefined;
  'restart-window'?: string | undefined;
}

/** docker's ToRestartPolicy: undefined unless a --restart-* flag is given, then from swarmkit's defaults. */
export function restartPolicy(flags: RestartFlags, current?: Record<string, unknown>): Record<string, unknown> | undefined {
  const given = [flags['restart-condition'], flags['restart-delay'], flags['restart-max-attempts'], flags['restart-window']];
  if (given.every((value) => value === undefined)) return current;
  const policy: Record<string, unknown> = current ? { ...current } : { Condition: 'any', Delay: 5e9, MaxAttempts: 0, Window: 0 };
  const condition = flags['restart-condition'];
  if (condition !== undefined) {
    if (!['none', 'on-failure', 'any'].includes(condition)) {
      throw new UsageError(`invalid argument "${condition}" for "--restart-condition" flag: invalid RestartCondition: ${condition}`);
    }
    policy['Condition'] = condition;
  }
  if (flags['restart-delay'] !== undefined) policy['Delay'] = parseDurationNs(flags['restart-delay']);
  if (flags['restart-max-attempts'] !== undefined) policy['MaxAttempts'] = flags['restart-max-attempts'];
  if (flags['restart-window'] !== undefined) policy['Window'] = parseDurationNs(flags['restart-window']);
  return policy;
}

export interface ResourceFlags {
  'limit-cpu'?: string | undefined;
  'limit-memory'?: string | undefined;
  'reserve-cpu'?: string | undefined;
  'reserve-memory'?: string | undefined;
}

/** Sets the given limits and reservations on a Resources object (docker's {"Limits":{},"Reservations":{}}). */
export function applyResources(resources: { Limits?: Record<string, unknown>; Reservations?: Record<string, unknown> }, flags: ResourceFlags) {
  const limits = { ...(resources.Limits ?? {}) };
  const reservations = { ...(resources.Reservations ?? {}) };
  if (flags['limit-cpu'] !== undefined) limits['NanoCPUs'] = parseNanoCpus(flags['limit-cpu'], '--limit-cpu');
  if (flags['limit-memory'] !== undefined) limits['MemoryBytes'] = parseMemoryBytes(flags['limit-memory'], '--limit-memory');
  if (flags['reserve-cpu'] !== undefined) reservations['NanoCPUs'] = parseNanoCpus(flags['reserve-cpu'], '--reserve-cpu');
  if (flags['reserve-memory'] !== undefined) reservations['MemoryBytes'] = parseMemoryBytes(flags['reserve-memory'], '--reserve-memory');
  return { ...resources, Limits: limits, Reservations: reservations };
}

/** --placement-pref spread=node.labels.dc → {Spread:{SpreadDescriptor:"node.labels.dc"}}. */
export function placementPreference(value: string): { Spread: { SpreadDescriptor: string } } {
  const index = value.indexOf('=');
  const strategy = index === -1 ? value : value.slice(0, index);
  if (index === -1 || value.slice(index + 1) === '') {
    throw new UsageError(`invalid argument "${value}" for "--placement-pref" flag: placement preference must be of the format "<strategy>=<arg>"`);
  }
  if (strategy.toLowerCase() !== 'spread') {
    throw new UsageError(`invalid argument "${value}" for "--placement-pref" flag: unsupported placement preference ${strategy} (only spread is supported)`);
  }
  return { Spread: { SpreadDescriptor: value.slice(index + 1) } };
}

/** The flags `service create` and `service update` share under the same names. */
export function rolloutOptions<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const prefix of ['update', 'rollback'] as const) {
    const what = prefix === 'update' ? 'updates' : 'rollbacks';
    out = out
      .option(`${prefix}-parallelism`, { type: 'number', describe: `Maximum number of tasks ${prefix === 'update' ? 'updated' : 'rolled back'} simultaneously (0 to ${prefix} all at once)` })
      .option(`${prefix}-delay`, { type: 'string', describe: `Delay between ${what} (ns|us|ms|s|m|h)` })
      .option(`${prefix}-monitor`, { type: 'string', describe: `Duration after each task ${prefix} to monitor for failure (ns|us|ms|s|m|h)` })
      .option(`${prefix}-failure-action`, { type: 'string', describe: `Action on ${prefix} failure` })
      .option(`${prefix}-max-failure-ratio`, { type: 'number', describe: `Failure rate to tolerate during an ${prefix}` })
      .option(`${prefix}-order`, { type: 'string', describe: `${prefix === 'update' ? 'Update' : 'Rollback'} order ("start-first", "stop-first")` });
  }
  return out
    .option('restart-condition', { type: 'string', describe: 'Restart when condition is met ("none", "on-failure", "any")' })
    .option('restart-delay', { type: 'string', describe: 'Delay between restart attempts (ns|us|ms|s|m|h)' })
    .option('restart-max-attempts', { type: 'number', describe: 'Maximum number of restarts before giving up' })
    .option('restart-window', { type: 'string', describe: 'Window used to evaluate the restart policy (ns|us|ms|s|m|h)' })
    .option('limit-cpu', { type: 'string', describe: 'Limit CPUs' })
    .option('limit-memory', { type: 'string', describe: 'Limit Memory' })
    .option('reserve-cpu', { type: 'string', describe: 'Reserve CPUs' })
    .option('reserve-memory', { type: 'string', describe: 'Reserve Memory' }) as Argv<T>;
}

export interface CreateArgs extends RestartFlags, ResourceFlags {
  image: string;
  command?: (string | number)[] | undefined;
  name?: string | undefined;
  replicas?: number | undefined;
  mode: string;
  network?: string[] | undefined;
  publish?: string[] | undefined;
  env?: string[] | undefined;
  label?: string[] | undefined;
  'container-label'?: string[] | undefined;
  constraint?: string[] | undefined;
  'placement-pref'?: string[] | undefined;
  'endpoint-mode': string;
  'replicas-max-per-node'?: number | undefined;
  'stop-grace-period'?: string | undefined;
}

function modeSpec(args: CreateArgs): Record<string, unknown> {
  const modes: Record<string, Record<string, unknown>> = {
    replicated: { Replicated: args.replicas === undefined ? {} : { Replicas: args.replicas } },
    global: { Global: {} },
    'replicated-job': { ReplicatedJob: args.replicas === undefined ? {} : { TotalCompletions: args.replicas } },
    'global-job': { GlobalJob: {} },
  };
  const mode = modes[args.mode];
  if (!mode) throw new UsageError(`invalid argument "${args.mode}" for "--mode" flag: unknown mode`);
  if (args.replicas !== undefined && (args.mode === 'global' || args.mode === 'global-job')) {
    throw new UsageError('replicas can only be used with replicated or replicated-job mode');
  }
  return mode;
}

/** The ServiceSpec docker sends to POST /services/create; network names already resolved. */
export function serviceSpec(args: CreateArgs & Record<string, unknown>, networkIds: string[]): Record<string, unknown> {
  const container: Record<string, unknown> = { Image: args.image };
  if (args['container-label']) container['Labels'] = keyValues(args['container-label']);
  if (args.command && args.command.length > 0) container['Args'] = args.command.map(String);
  if (args.env && args.env.length > 0) container['Env'] = args.env;
  if (args['stop-grace-period'] !== undefined) container['StopGracePeriod'] = parseDurationNs(args['stop-grace-period']);
  Object.assign(container, { Init: false, DNSConfig: {} });
  const placement: Record<string, unknown> = {};
  if (args.constraint) placement['Constraints'] = args.constraint;
  if (args['placement-pref']) placement['Preferences'] = args['placement-pref'].map(placementPreference);
  if (args['replicas-max-per-node']) placement['MaxReplicas'] = args['replicas-max-per-node'];
  const template: Record<string, unknown> = { ContainerSpec: container, Resources: applyResources({ Limits: {}, Reservations: {} }, args) };
  const restart = restartPolicy(args);
  if (restart) template['RestartPolicy'] = restart;
  template['Placement'] = placement;
  if (networkIds.length > 0) template['Networks'] = networkIds.map((Target) => ({ Target }));
  template['ForceUpdate'] = 0;
  const spec: Record<string, unknown> = { Name: args.name ?? '', Labels: keyValues(args.label), TaskTemplate: template, Mode: modeSpec(args) };
  for (const prefix of ['update', 'rollback'] as const) {
    const flags = rolloutFlags(args, prefix);
    if (flags) spec[prefix === 'update' ? 'UpdateConfig' : 'RollbackConfig'] = applyRollout(rolloutDefaults(), flags, prefix);
  }
  const endpoint: Record<string, unknown> = { Mode: args['endpoint-mode'] };
  if (args.publish && args.publish.length > 0) endpoint['Ports'] = args.publish.map((value) => parsePublish(value));
  spec['EndpointSpec'] = endpoint;
  return spec;
}
