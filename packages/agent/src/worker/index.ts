export { Worker, type WorkerOptions } from './worker.js';
export type { TaskNetworking } from './task-runner.js';
export { DispatcherLink, type LinkOptions } from './dispatcher-link.js';
export { containerName, containerSpec, TASK_ID_LABEL } from './container-spec.js';
export type { AssignedTask, Assignments, NetworkAttachment, TaskState, TaskStatus } from './task.js';
export { LogPublisher, type LogPublisherOptions } from './logs.js';
