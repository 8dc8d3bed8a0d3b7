// The service and task control operations by name, for the registry.
import { applyStatusReports, type StatusReport } from '../tasks/status-reports.js';
import type { ControlContext } from './context.js';
import type { Filters } from './node-ops.js';
import { createService, getService, listServices, removeService, updateService, type ServiceUpdateRequest } from './service-ops.js';
import { getTask, listTasks } from './task-ops.js';

export const serviceOperations = {
  createService: (ctx: ControlContext, p: { spec: unknown }) => createService(ctx, p.spec),
  getService: (ctx: ControlContext, p: { id: string; insertDefaults?: boolean }) => getService(ctx, p),
  listServices: (ctx: ControlContext, p: { filters?: Filters; status?: boolean }) => listServices(ctx, p),
  updateService: (ctx: ControlContext, p: ServiceUpdateRequest) => updateService(ctx, p),
  removeService: (ctx: ControlContext, p: { id: string }) => removeService(ctx, p),
  listTasks: (ctx: ControlContext, p: { filters?: Filters }) => listTasks(ctx, p),
  getTask: (ctx: ControlContext, p: { id: string }) => getTask(ctx, p),
  /** From the Dispatcher service: the node ID comes from the caller's certificate, never the payload's sender. */
  updateTaskStatus: (ctx: ControlContext, p: { nodeId: string; reports: StatusReport[] }) => applyStatusReports(ctx, p),
};
