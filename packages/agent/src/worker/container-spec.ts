// A swarm task as a container: named <service>.<slot>.<task> (<service>.<node>.<task> for global
// services) and labelled com.docker.swarm.* like dockerd does, so `docker ps` and the worker's own
// recovery after a restart can tell which task a container belongs to.
import { randomBytes } from 'node:crypto';
import type { ContainerSpec } from '../runtime/types.js';
import type { AssignedTask } from './task.js';

export const TASK_ID_LABEL = 'com.docker.swarm.task.id';

export function containerName(task: AssignedTask, serviceName: string): string {
  return `${serviceName}.${task.Slot > 0 ? task.Slot : task.NodeID}.${task.ID}`;
}

/** The task's network sandbox as the data plane prepared it. */
export interface SandboxFiles {
  readonly netnsPath: string;
  /** The embedded resolver's resolv.conf; absent = the runtime's default (from the host's). */
  readonly resolvConf?: string;
}

export function containerSpec(task: AssignedTask, serviceName: string, sandbox: SandboxFiles | undefined): ContainerSpec {
  const c = task.Spec.ContainerSpec ?? { Image: '' };
  const name = containerName(task, serviceName);
  return {
    id: randomBytes(32).toString('hex'),
    name,
    image: c.Image,
    ...(c.Command ? { entrypoint: c.Command } : {}),
    ...(c.Args ? { cmd: c.Args } : {}),
    ...(c.Env ? { env: c.Env } : {}),
    ...(c.Dir ? { workingDir: c.Dir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(c.Hostname ? { hostname: c.Hostname } : {}),
    ...(c.TTY ? { tty: true } : {}),
    ...(c.OpenStdin ? { openStdin: true } : {}),
    ...(sandbox ? { netnsPath: sandbox.netnsPath } : {}),
    ...(sandbox?.resolvConf !== undefined ? { resolvConf: sandbox.resolvConf } : {}),
    labels: {
      ...c.Labels,
      'com.docker.swarm.node.id': task.NodeID,
      'com.docker.swarm.service.id': task.ServiceID,
      'com.docker.swarm.service.name': serviceName,
      'com.docker.swarm.task': '',
      [TASK_ID_LABEL]: task.ID,
      // dockerd's label carries the whole container name, task ID included ("web.1.<task id>").
      'com.docker.swarm.task.name': name,
    },
  };
}

export function stopGraceSec(task: AssignedTask): number {
  const ns = task.Spec.ContainerSpec?.StopGracePeriod;
  return ns === undefined ? 10 : Math.max(0, Math.ceil(ns / 1e9));
}
