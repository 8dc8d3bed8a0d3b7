// `service inspect --pretty`: docker's serviceInspectPrettyTemplate, written out as code. Network
// IDs are shown by name (GET /networks/{id}?scope=swarm, as docker resolves them).

import type { EngineClient } from '../api/client.js';
import { formatDurationNs, humanDuration } from '../format/duration.js';
import { bytesSize } from '../format/text.js';

interface Rollout {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: string;
}
interface Limits {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
}
interface PrettyService {
  ID?: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string> | null;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    UpdateConfig?: Rollout;
    RollbackConfig?: Rollout;
    TaskTemplate?: {
      ContainerSpec?: { Image?: string; Args?: string[]; Env?: string[]; Dir?: string; User?: string; Init?: boolean | null; Mounts?: { Target?: string; Source?: string; ReadOnly?: boolean; Type?: string }[] };
      Placement?: { Constraints?: string[]; Preferences?: { Spread?: { SpreadDescriptor?: string } }[]; MaxReplicas?: number };
      Resources?: { Limits?: Limits; Reservations?: Limits } | null;
      LogDriver?: { Name?: string; Options?: Record<string, string> } | null;
      Networks?: { Target: string }[];
    };
    EndpointSpec?: { Mode?: string } | null;
  };
  Endpoint?: { Ports?: { Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] };
  UpdateStatus?: { State?: string; StartedAt?: string; CompletedAt?: string; Message?: string };
}

const sortedKeys = (record: Record<string, string>): string[] => Object.keys(record).sort();
const goList = (items: readonly string[]): string => `[${items.join(' ')}]`;

function rollout(title: string, orderLabel: string, config: Rollout): string {
  let out = `\n${title}:\n Parallelism:\t${config.Parallelism ?? 0}`;
  if ((config.Delay ?? 0) > 0) out += `\n Delay:\t\t${formatDurationNs(config.Delay ?? 0)}`;
  out += `\n On failure:\t${config.FailureAction ?? ''}`;
  if ((config.Monitor ?? 0) > 0) out += `\n Monitoring Period: ${formatDurationNs(config.Monitor ?? 0)}`;
  return out + `\n Max failure ratio: ${config.MaxFailureRatio ?? 0}\n ${orderLabel} ${config.Order ?? ''}`;
}

function updateStatus(status: NonNullable<PrettyService['UpdateStatus']>, nowMs: number): string {
  const ago = (at: string): string => `${humanDuration((nowMs - Date.parse(at)) * 1e6)} ago`;
  let out = `\nUpdateStatus:\n State:\t\t${status.State ?? ''}`;
  if (status.StartedAt) out += `\n Started:\t${ago(status.StartedAt)}`;
  if (status.State === 'completed' && status.CompletedAt) out += `\n Completed:\t${ago(status.CompletedAt)}`;
  return out + `\n Message:\t${status.Message ?? ''}`;
}

function resources(res: NonNullable<NonNullable<PrettyService['Spec']>['TaskTemplate']>['Resources']): string {
  if (!res) return '';
  let out = '\nResources:';
  const reserve = res.Reservations ?? {};
  if ((reserve.NanoCPUs ?? 0) > 0 || (reserve.MemoryBytes ?? 0) > 0) {
    out += '\n Reservations:';
    if ((reserve.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${(reserve.NanoCPUs ?? 0) / 1e9}`;
    if (reserve.MemoryBytes) out += `\n  Memory:\t${bytesSize(reserve.MemoryBytes)}`;
  }
  const limits = res.Limits ?? {};
  if ((limits.NanoCPUs ?? 0) > 0 || (limits.MemoryBytes ?? 0) > 0 || (limits.Pids ?? 0) > 0) {
    out += '\n Limits:';
    if ((limits.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${(limits.NanoCPUs ?? 0) / 1e9}`;
    if (limits.MemoryBytes) out += `\n  Memory:\t${bytesSize(limits.MemoryBytes)}`;
  }
  if ((limits.Pids ?? 0) > 0) out += `\n  PIDs:\t\t${limits.Pids}`;
  return out;
}

function containerSection(container: NonNullable<NonNullable<NonNullable<PrettyService['Spec']>['TaskTemplate']>['ContainerSpec']>): string {
  let out = `\nContainerSpec:\n Image:\t\t${container.Image ?? ''}`;
  if (container.Args?.length) out += `\n Args:\t\t${container.Args.map((arg) => `${arg} `).join('')}`;
  if (container.Env?.length) out += `\n Env:\t\t${container.Env.map((env) => `${env} `).join('')}`;
  if (container.Dir) out += `\n Dir:\t\t${container.Dir}`;
  if (container.Init !== undefined && container.Init !== null) out += `\n Init:\t\t${container.Init}`;
  if (container.User) out += `\n User: ${container.User}`;
  if (container.Mounts?.length) {
    out += '\nMounts:';
    for (const m of container.Mounts) out += `\n Target:\t${m.Target ?? ''}\n  Source:\t${m.Source ?? ''}\n  ReadOnly:\t${!!m.ReadOnly}\n  Type:\t\t${m.Type ?? ''}`;
  }
  return out;
}

/** The text docker prints for one service, including the newline its formatter adds. */
export function formatServicePretty(service: PrettyService, networkNames: ReadonlyMap<string, string>, nowMs: number): string {
  const spec = service.Spec ?? {};
  const template = spec.TaskTemplate ?? {};
  let out = `\nID:\t\t${service.ID ?? ''}\nName:\t\t${spec.Name ?? ''}`;
  const labels = spec.Labels ?? {};
  if (Object.keys(labels).length > 0) out += '\nLabels:' + sortedKeys(labels).map((k) => `\n ${k}${labels[k] ? `=${labels[k]}` : ''}`).join('');
  out += '\nService Mode:';
  if (spec.Mode?.Global) out += '\tGlobal';
  else if (spec.Mode?.Replicated) out += '\tReplicated' + (spec.Mode.Replicated.Replicas !== undefined ? `\n Replicas:\t${spec.Mode.Replicated.Replicas}` : '');
  if (service.UpdateStatus?.State) out += updateStatus(service.UpdateStatus, nowMs);
  out += '\nPlacement:';
  const placement = template.Placement ?? {};
  if (placement.Constraints?.length) out += `\n Constraints:\t${goList(placement.Constraints)}`;
  const prefs = (placement.Preferences ?? []).filter((p) => p.Spread).map((p) => `spread=${p.Spread?.SpreadDescriptor ?? ''}`);
  if (prefs.length > 0) out += `\n Preferences:   ${goList(prefs)}`;
  if (placement.MaxReplicas) out += `\n Max Replicas Per Node:   ${placement.MaxReplicas}`;
  if (spec.UpdateConfig) out += rollout('UpdateConfig', 'Update order:     ', spec.UpdateConfig);
  if (spec.RollbackConfig) out += rollout('RollbackConfig', 'Rollback order:   ', spec.RollbackConfig);
  out += containerSection(template.ContainerSpec ?? {});
  if (template.LogDriver) {
    out += '\nLog Driver:';
    if (template.LogDriver.Name) out += `\n Name:\t\t${template.LogDriver.Name}`;
    const opts = template.LogDriver.Options ?? {};
    if (Object.keys(opts).length > 0) out += '\n LogOpts:' + sortedKeys(opts).map((k) => `\n  ${k}${opts[k] ? `:       ${opts[k]}` : ''}`).join('');
    out += '\n';
  }
  out += resources(template.Resources);
  const networks = (template.Networks ?? []).map((n) => networkNames.get(n.Target) ?? n.Target);
  if (networks.length > 0) out += '\nNetworks:' + networks.map((n) => ` ${n}`).join('') + ' ';
  out += `\nEndpoint Mode:\t${spec.EndpointSpec?.Mode ?? ''}`;
  const ports = service.Endpoint?.Ports ?? [];
  if (ports.length > 0) {
    out += '\nPorts:';
    for (const p of ports) out += `\n PublishedPort = ${p.PublishedPort ?? 0}\n  Protocol = ${p.Protocol ?? ''}\n  TargetPort = ${p.TargetPort ?? 0}\n  PublishMode = ${p.PublishMode ?? ''}`;
    out += ' ';
  }
  return out + '\n\n';
}

/** Resolves the service's network names, then formats it. */
export async function renderServicePretty(client: EngineClient, service: unknown, nowMs = Date.now()): Promise<string> {
  const typed = service as PrettyService;
  const names = new Map<string, string>();
  for (const network of typed.Spec?.TaskTemplate?.Networks ?? []) {
    try {
      const found = await client.get<{ Id: string; Name: string }>(`/networks/${network.Target}`, { scope: 'swarm' });
      names.set(found.Id, found.Name);
    } catch {
      // docker shows the ID of a network it cannot inspect.
    }
  }
  return formatServicePretty(typed, names, nowMs);
}
