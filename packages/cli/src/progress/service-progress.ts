// docker's ServiceProgress loop: poll the service, its up-to-date tasks and the nodes every
// 200 ms, render each snapshot, and once every task runs wait out the monitor window
// (Spec.UpdateConfig.Monitor, default 5 s) before declaring the service converged.

import { UsageError } from '../api/errors.js';
import type { ProgressMessage } from './json-stream.js';
import { updaterFor, type ProgressService, type ProgressTask, type ProgressUpdater } from './updaters.js';

export const POLL_INTERVAL_MS = 200;
const DEFAULT_MONITOR_NS = 5e9;

/** Where the snapshots come from: the Engine API in the CLI, canned data in tests. */
export interface ProgressSource {
  /** GET /services/{id}?insertDefaults=false */
  service(id: string): Promise<ProgressService>;
  /** GET /tasks?filters={"_up-to-date":{"true":true},"service":{id}} */
  upToDateTasks(serviceId: string): Promise<ProgressTask[]>;
  /** GET /nodes, keeping the IDs of nodes that are not down. */
  activeNodes(): Promise<Set<string>>;
}

export interface ProgressClock {
  nowMs(): number;
  /** Waits `ms`; resolves true if the user interrupted (Ctrl-C) instead. */
  sleep(ms: number): Promise<boolean>;
}

export interface WatchOptions {
  /** The reference as the user typed it (create passes the new ID); shown in the final line. */
  readonly serviceRef: string;
  /** Program name in the "continuing in background" hint. Default "shoal". */
  readonly program?: string;
}

/** The update or rollback stopped; printed as docker prints it. */
export class ServiceUpdatePaused extends UsageError {
  override readonly name = 'ServiceUpdatePaused';
}

const verify = (action: string): ProgressMessage => ({ kind: 'progress', id: 'verify', action });

function monitorNs(service: ProgressService, current: number): number {
  const monitor = service.Spec.UpdateConfig?.Monitor ?? 0;
  return monitor !== 0 ? monitor : current;
}

/** Runs until the service converged, the user interrupted, or the update paused (thrown). */
export async function watchServiceProgress(
  source: ProgressSource,
  clock: ProgressClock,
  emit: (message: ProgressMessage) => void,
  options: WatchOptions,
): Promise<void> {
  let updater: ProgressUpdater | undefined;
  let converged = false;
  let convergedAtMs: number | undefined;
  let monitor = DEFAULT_MONITOR_NS;
  let rollback = false;
  let closing: ProgressMessage | undefined;
  for (;;) {
    const service = await source.service(options.serviceRef);
    monitor = monitorNs(service, monitor);
    updater ??= updaterFor(service, emit);
    if (!updater) return;
    const status = service.UpdateStatus;
    const message = status?.Message ?? '';
    switch (status?.State) {
      case 'updating':
        rollback = false;
        break;
      case 'completed':
        if (!converged) return;
        break;
      case 'paused':
        throw new ServiceUpdatePaused(`service update paused: ${message}`);
      case 'rollback_started':
        if (!rollback && message !== '') emit({ kind: 'progress', id: 'rollback', action: message });
        rollback = true;
        break;
      case 'rollback_paused':
        throw new ServiceUpdatePaused(`service rollback paused: ${message}`);
      case 'rollback_completed':
        if (!converged) closing = { kind: 'status', id: 'rollback', message };
        rollback = true;
        break;
    }
    if (converged && convergedAtMs !== undefined && (clock.nowMs() - convergedAtMs) * 1e6 >= monitor) {
      emit(verify(`Service ${options.serviceRef} converged`));
      if (closing) emit(closing);
      return;
    }
    const tasks = await source.upToDateTasks(service.ID);
    const activeNodes = await source.activeNodes();
    converged = updater.update(service, tasks, activeNodes, rollback);
    if (converged) {
      convergedAtMs ??= clock.nowMs();
      // Go's time.Since is never zero; a millisecond clock can be, which would show one second too many.
      const waitNs = monitor - Math.max(1, (clock.nowMs() - convergedAtMs) * 1e6);
      if (waitNs >= 0) emit(verify(`Waiting ${Math.trunc(waitNs / 1e9) + 1} seconds to verify that tasks are stable...`));
    } else {
      if (convergedAtMs !== undefined) emit(verify('Detected task failure'));
      convergedAtMs = undefined;
    }
    if (await clock.sleep(POLL_INTERVAL_MS)) {
      if (!converged) {
        emit({ kind: 'status', id: '', message: 'Operation continuing in background.' });
        emit({ kind: 'status', id: '', message: `Use \`${options.program ?? 'shoal'} service ps ${options.serviceRef}\` to check progress.` });
      }
      return;
    }
  }
}
