// Docker's defaults for the parts of a service spec the user may leave out: what `service inspect`
// shows with insertDefaults=true, and what the orchestrator acts on when the spec is silent.
import type { ServiceSpec, TaskSpec, UpdateConfig } from '../store/objects.js';

const SECOND_NS = 1_000_000_000;

export const DEFAULT_STOP_GRACE_NS = 10 * SECOND_NS;
export const DEFAULT_RESTART_POLICY = { Condition: 'any', Delay: 5 * SECOND_NS, MaxAttempts: 0 } as const;
export const DEFAULT_UPDATE_CONFIG = { Parallelism: 1, FailureAction: 'pause', Monitor: 5 * SECOND_NS, MaxFailureRatio: 0, Order: 'stop-first' } as const;

export interface RestartPolicy {
  readonly condition: 'none' | 'on-failure' | 'any';
  readonly delayMs: number;
  /** 0 = unlimited. */
  readonly maxAttempts: number;
  /** 0 = attempts count over the whole history. */
  readonly windowMs: number;
}

export interface RolloutConfig {
  /** 0 = every task at once. */
  readonly parallelism: number;
  readonly delayMs: number;
  readonly failureAction: 'pause' | 'continue' | 'rollback';
  readonly monitorMs: number;
  readonly order: 'stop-first' | 'start-first';
}

const ms = (ns: number | undefined, fallbackNs: number) => Math.round((ns ?? fallbackNs) / 1_000_000);

export function restartPolicy(template: TaskSpec): RestartPolicy {
  const p = template.RestartPolicy ?? {};
  return {
    condition: p.Condition ?? DEFAULT_RESTART_POLICY.Condition,
    delayMs: ms(p.Delay, DEFAULT_RESTART_POLICY.Delay),
    maxAttempts: p.MaxAttempts ?? 0,
    windowMs: ms(p.Window, 0),
  };
}

export function rolloutConfig(config: UpdateConfig | undefined): RolloutConfig {
  const c = config ?? {};
  return {
    parallelism: c.Parallelism ?? DEFAULT_UPDATE_CONFIG.Parallelism,
    delayMs: ms(c.Delay, 0),
    failureAction: c.FailureAction ?? DEFAULT_UPDATE_CONFIG.FailureAction,
    monitorMs: ms(c.Monitor, DEFAULT_UPDATE_CONFIG.Monitor),
    order: c.Order ?? DEFAULT_UPDATE_CONFIG.Order,
  };
}

/** The spec as `service inspect` shows it: Docker's defaults filled in, in Docker's field order. */
export function withDefaults(spec: ServiceSpec): ServiceSpec {
  const t = spec.TaskTemplate;
  const { Image, Labels, Command, Args, Env, Dir, User, Hostname, TTY, OpenStdin, Init, StopGracePeriod, ...rest } = t.ContainerSpec ?? { Image: '' };
  const containerSpec = omitUndefined({ Image, Labels, Command, Args, Env, Dir, User, Hostname, TTY, OpenStdin, Init, StopGracePeriod: StopGracePeriod ?? DEFAULT_STOP_GRACE_NS, ...rest });
  const { ContainerSpec: _c, Resources, RestartPolicy, Placement, ...templateRest } = t;
  const template = omitUndefined({
    ContainerSpec: containerSpec,
    Resources,
    RestartPolicy: { ...DEFAULT_RESTART_POLICY, ...RestartPolicy },
    Placement,
    ...templateRest,
  }) as TaskSpec;
  const { Name, Labels: labels, TaskTemplate: _t, Mode, UpdateConfig, RollbackConfig, EndpointSpec, ...specRest } = spec;
  return omitUndefined({
    Name,
    Labels: labels,
    TaskTemplate: template,
    Mode,
    UpdateConfig: { ...DEFAULT_UPDATE_CONFIG, ...UpdateConfig },
    RollbackConfig: { ...DEFAULT_UPDATE_CONFIG, ...RollbackConfig },
    EndpointSpec,
    ...specRest,
  }) as ServiceSpec;
}

function omitUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
