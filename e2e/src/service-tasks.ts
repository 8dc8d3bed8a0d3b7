// `docker service ps` read through --format, so service tests assert on fields, not column offsets.
import type { HostLayout } from '@shoal/cli/cluster';
import { dockerOk } from './docker.js';

export interface TaskRow {
  readonly name: string;
  readonly node: string;
  readonly desired: string;
  readonly current: string;
  readonly error: string;
}

export async function servicePs(host: HostLayout, service: string): Promise<TaskRow[]> {
  const out = await dockerOk(host, ['service', 'ps', '--no-trunc', '--format', '{{.Name}}|{{.Node}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}', service]);
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [name = '', node = '', desired = '', current = '', error = ''] = line.split('|');
      return { name: name.trim(), node, desired, current, error };
    });
}
