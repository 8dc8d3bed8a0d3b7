// Comparing specs by value: a task is up to date while its Spec equals its service's TaskTemplate.
import type { ServiceObject, TaskObject } from '../store/objects.js';

type Templated = Pick<ServiceObject, 'Spec'>;
type Specified = Pick<TaskObject, 'Spec'>;

/** JSON with object keys sorted, so that equal values compare equal whatever order the client sent. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** swarmkit's IsTaskDirty: the task was made from another version of the service's template. */
export function isDirty(service: Templated, task: Specified): boolean {
  return !sameValue(service.Spec.TaskTemplate, task.Spec);
}
