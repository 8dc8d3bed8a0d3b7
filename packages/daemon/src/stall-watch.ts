// Warns when the event loop was held long enough to cost a manager its Raft term (an election starts
// after 3–6 s without the leader's heartbeat). Like etcd's "leader failed to send out heartbeat on
// time", the line says what the process was doing meanwhile: CPU time close to the gap means work on
// the loop (gcMs says how much of it was garbage collection); little CPU means the process was not
// scheduled or sat in a blocking call.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface StallWatchOptions {
  /** A gap between checks longer than this is reported. */
  readonly thresholdMs: number;
  readonly checkEveryMs: number;
  readonly report: (stall: LoopStall) => void;
}

export interface LoopStall {
  readonly blockedMs: number;
  /** CPU time of the whole process (every thread) during the gap. */
  readonly cpuMs: number;
  /** Garbage collection that ended during the gap. */
  readonly gcMs: number;
  readonly majorGcs: number;
}

export function watchEventLoop(opts: StallWatchOptions): { stop(): void } {
  let gcMs = 0;
  let majorGcs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      if (isMajor(entry)) majorGcs++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let lastMs = performance.now();
  let lastCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const nowMs = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const gapMs = nowMs - lastMs;
    // GC entries are delivered asynchronously, so a collection inside the gap may be counted with
    // the next one; good enough for a reason on a warning line.
    if (gapMs - opts.checkEveryMs > opts.thresholdMs) {
      opts.report({ blockedMs: Math.round(gapMs - opts.checkEveryMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000), gcMs: Math.round(gcMs), majorGcs });
    }
    lastMs = nowMs;
    lastCpu = process.cpuUsage();
    gcMs = 0;
    majorGcs = 0;
  }, opts.checkEveryMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      gc.disconnect();
    },
  };
}

function isMajor(entry: PerformanceEntry): boolean {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
  return detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}
