// The task table shared by `node ps` and `service ps` (docker's cli/command/task).

import type { EngineClient } from '../api/client.js';
import { humanDuration } from '../format/duration.js';
import { renderList, sortedRow, type ListFormatter, type Row } from '../format/list.js';
import { ellipsis, prettyPrint, truncateId } from '../format/text.js';

export interface Task {
  ID: string;
  CreatedAt?: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Spec?: { ContainerSpec?: { Image?: string } };
  Status?: {
    Timestamp?: string;
    State?: string;
    Err?: string;
    PortStatus?: { Ports?: { Protocol?: string; TargetPort?: number; PublishedPort?: number }[] };
  };
}

export const TASK_FORMATTER: ListFormatter = {
  defaultTable:
    'table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}',
  headers: {
    ID: 'ID',
    Name: 'NAME',
    Image: 'IMAGE',
    Node: 'NODE',
    DesiredState: 'DESIRED STATE',
    CurrentState: 'CURRENT STATE',
    Error: 'ERROR',
    Ports: 'PORTS',
  },
};

export interface TaskTableOptions {
  noTrunc: boolean;
  noResolve: boolean;
  quiet: boolean;
  format: string | undefined;
  nowMs: number;
}

/** docker's IDResolver: service and node names, looked up once per invocation. */
export class NameResolver {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(private readonly client: EngineClient) {}

  service(id: string): Promise<string> {
    return this.lookup(`service/${id}`, async () => {
      const service = await this.client.get<{ Spec?: { Name?: string } }>(`/services/${id}`, { insertDefaults: false });
      return service.Spec?.Name || id;
    });
  }

  node(id: string): Promise<string> {
    if (id === '') return Promise.resolve('');
    return this.lookup(`node/${id}`, async () => {
      const node = await this.client.get<{ Spec?: { Name?: string }; Description?: { Hostname?: string } }>(`/nodes/${id}`);
      return node.Spec?.Name || node.Description?.Hostname || id;
    });
  }

  private lookup(key: string, fetch: () => Promise<string>): Promise<string> {
    let found = this.cache.get(key);
    if (!found) this.cache.set(key, (found = fetch()));
    return found;
  }
}

function stripDigest(image: string): string {
  const at = image.indexOf('@');
  return at === -1 ? image : image.slice(0, at);
}

function currentState(task: Task, nowMs: number): string {
  const timestamp = Date.parse(task.Status?.Timestamp ?? '');
  const since = Number.isNaN(timestamp) ? 0 : (nowMs - timestamp) * 1e6;
  return `${prettyPrint(task.Status?.State ?? '')} ${humanDuration(since).toLowerCase()} ago`;
}

function ports(task: Task): string {
  return (task.Status?.PortStatus?.Ports ?? [])
    .map((p) => `*:${p.PublishedPort ?? 0}->${p.TargetPort ?? 0}/${p.Protocol ?? 'tcp'}`)
    .join(', ');
}

/** Sorts, names and renders tasks; resolves names through the daemon unless told not to. */
export async function renderTasks(tasks: Task[], resolver: NameResolver, options: TaskTableOptions): Promise<string> {
  const named: { task: Task; name: string; node: string }[] = [];
  for (const task of tasks) {
    const service = options.noResolve ? task.ServiceID : await resolver.service(task.ServiceID);
    const node = options.noResolve ? (task.NodeID ?? '') : await resolver.node(task.NodeID ?? '');
    const name = task.Slot ? `${service}.${task.Slot}` : `${service}.${task.NodeID ?? ''}`;
    named.push({ task, name, node });
  }
  // Same order as docker: by name (as strings), then the newest task of a slot first.
  named.sort((a, b) =>
    a.name !== b.name ? (a.name < b.name ? -1 : 1) : Date.parse(b.task.CreatedAt ?? '') - Date.parse(a.task.CreatedAt ?? ''),
  );
  let previous = '';
  const rows: Row[] = named.map(({ task, name, node }) => {
    const shown = name === previous ? ` \\_ ${name}` : name;
    previous = name;
    const error = options.noTrunc ? (task.Status?.Err ?? '') : ellipsis(task.Status?.Err ?? '', 30);
    const image = task.Spec?.ContainerSpec?.Image ?? '';
    return sortedRow({
      ID: options.noTrunc ? task.ID : truncateId(task.ID),
      Name: shown,
      Image: options.noTrunc ? image : stripDigest(image),
      Node: node,
      DesiredState: prettyPrint(task.DesiredState ?? ''),
      CurrentState: currentState(task, options.nowMs),
      Error: error === '' ? '' : `"${error}"`,
      Ports: ports(task),
    });
  });
  return renderList(TASK_FORMATTER, rows, { format: options.format, quiet: options.quiet });
}
