// One simulated worker node: the real agent's dispatcher protocol (packages/agent session/ and
// worker/dispatcher-link.ts) without an executor. It opens a Session on the leader (following the
// "leader is at" hint like the real agent), heartbeats at half the period the manager gives, follows
// its Assignments stream, and reports each task accepted at once and preparing → starting → running
// after `startDelayMs` (the container start it does not perform), in batched UpdateTaskStatus calls
// that keep only each task's latest status, as the real agent does. One gRPC channel (one mutual-TLS
// connection) per node carries all four RPCs.
import * as grpc from '@grpc/grpc-js';
import { AssignmentsType, DispatcherClient } from '../../packages/proto/dist/src/index.js';
import { channelOptions, clientCredentials } from '../../packages/manager/dist/src/index.js';

const LEADER_HINT = /leader is at (\S+)/;
const ORDER = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running', 'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'];
const rank = (s) => ORDER.indexOf(s);

/** Counters shared by every node of one agents process; the process reports them to the driver. */
export function newCounters() {
  return {
    sessionsUp: 0, sessionOpens: 0, sessionLost: 0, heartbeats: 0, heartbeatErrors: 0, heartbeatNotFound: 0,
    heartbeatMsMax: 0, reports: 0, reportErrors: 0, running: 0, assignmentMessages: 0,
  };
}

export class SimNode {
  /**
   * @param {{nodeId: string, identity: {rootCaPem: string, certPem: string, keyPem: string}, managers: string[],
   *          hostname: string, addr: string, startDelayMs: number, counters: ReturnType<typeof newCounters>,
   *          dirty: Set<SimNode>}} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.nodeId = opts.nodeId;
    this.credentials = clientCredentials(opts.identity);
    /** taskId → { reported: state we last queued, desiredRunning: bool, countedRunning: bool, starting: bool (on its way to running) } */
    this.tasks = new Map();
    /** taskId → status JSON not yet accepted by a manager. */
    this.pending = new Map();
    this.flushing = false;
    this.next = 0;
    this.preferred = null;
    this.stopped = true;
    this.client = null;
    this.sessionId = null;
    this.up = false;
  }

  start() {
    this.stopped = false;
    this.#connect();
  }

  /** The node vanishes: its session, heartbeats and streams stop, with no goodbye to the managers. */
  stop() {
    this.stopped = true;
    this.#teardown();
    clearTimeout(this.retry);
  }

  #pickAddr() {
    if (this.preferred) {
      const addr = this.preferred;
      this.preferred = null;
      return addr;
    }
    return this.opts.managers[this.next++ % this.opts.managers.length];
  }

  #connect() {
    if (this.stopped) return;
    const addr = this.#pickAddr();
    const client = new DispatcherClient(addr, this.credentials, { ...channelOptions(), 'grpc.use_local_subchannel_pool': 1 });
    this.client = client;
    this.addr = addr;
    const description = { Hostname: this.opts.hostname, Platform: { Architecture: 'x86_64', OS: 'linux' }, Resources: { NanoCPUs: 2e9, MemoryBytes: 2 ** 31 }, Engine: { EngineVersion: 'sim' }, Addr: this.opts.addr };
    const session = client.session({ nodeId: this.nodeId, descriptionJson: Buffer.from(JSON.stringify(description)) });
    this.session = session;
    session.on('data', (m) => {
      if (this.sessionId === null) this.#sessionUp(client, m.sessionId);
      if (m.sessionId !== this.sessionId) this.#startHeartbeat(client, m.sessionId, Number(m.heartbeatPeriodMs));
      this.sessionId = m.sessionId;
    });
    session.on('error', (err) => {
      const hint = LEADER_HINT.exec(err.details ?? '');
      if (hint?.[1]) this.preferred = hint[1];
      this.#fail(client);
    });
    session.on('end', () => this.#fail(client));
  }

  #sessionUp(client, sessionId) {
    this.up = true;
    // Reports queued while the node had no session (flush skips it then) go out on the new one.
    if (this.pending.size > 0) this.opts.dirty.add(this);
    this.opts.counters.sessionsUp++;
    this.opts.counters.sessionOpens++;
    const stream = client.assignments({ sessionId });
    this.assignments = stream;
    stream.on('data', (m) => this.#onAssignments(m.type === AssignmentsType.FULL, JSON.parse(Buffer.from(m.changesJson).toString('utf8'))));
    stream.on('error', () => this.#fail(client));
    stream.on('end', () => this.#fail(client));
  }

  /** As the real agent (packages/agent/src/session/session.ts): a beat at once, then one per period the manager answered. */
  #startHeartbeat(client, sessionId, periodMs) {
    clearTimeout(this.heartbeat);
    const c = this.opts.counters;
    const beat = () => {
      const t0 = performance.now();
      client.heartbeat({ sessionId }, new grpc.Metadata(), { deadline: new Date(Date.now() + periodMs) }, (err, reply) => {
        c.heartbeats++;
        c.heartbeatMsMax = Math.max(c.heartbeatMsMax, performance.now() - t0);
        if (this.client !== client || this.stopped) return;
        if (err) {
          c.heartbeatErrors++;
          if (err.code === grpc.status.NOT_FOUND) {
            c.heartbeatNotFound++;
            this.#fail(client);
            return;
          }
        }
        if (reply && Number(reply.periodMs) > 0) periodMs = Number(reply.periodMs);
        this.heartbeat = setTimeout(beat, periodMs);
      });
    };
    beat();
  }

  /** The session broke while the node meant to keep it: reconnect after 500 ms like the real agent. */
  #fail(client) {
    if (this.client !== client || this.stopped) return;
    this.opts.counters.sessionLost++;
    this.#teardown();
    this.retry = setTimeout(() => this.#connect(), 500);
  }

  #teardown() {
    clearTimeout(this.heartbeat);
    if (this.up) this.opts.counters.sessionsUp--;
    this.up = false;
    this.sessionId = null;
    this.assignments?.cancel();
    this.session?.cancel();
    this.client?.close();
    this.client = null;
    for (const t of this.tasks.values()) if (t.countedRunning) this.#countRunning(t, false);
  }

  #countRunning(t, yes) {
    if (t.countedRunning === yes) return;
    t.countedRunning = yes;
    this.opts.counters.running += yes ? 1 : -1;
  }

  #onAssignments(full, changes) {
    this.opts.counters.assignmentMessages++;
    if (full) {
      const keep = new Set(changes.tasks.map((t) => t.ID));
      for (const [id, t] of this.tasks) if (!keep.has(id)) this.#forget(id, t);
    }
    for (const id of changes.removed ?? []) {
      const t = this.tasks.get(id);
      if (t) this.#forget(id, t);
    }
    for (const task of changes.tasks) this.#onTask(task);
  }

  #forget(id, t) {
    this.#countRunning(t, false);
    this.tasks.delete(id);
    this.pending.delete(id);
  }

  #onTask(task) {
    const desiredRunning = rank(task.DesiredState) <= rank('running');
    let t = this.tasks.get(task.ID);
    if (!t) {
      t = { reported: task.Status.State, desiredRunning, countedRunning: false, starting: false };
      this.tasks.set(task.ID, t);
    }
    t.desiredRunning = desiredRunning;
    if (!desiredRunning) {
      this.#countRunning(t, false);
      if (rank(t.reported) < rank('complete')) this.#report(task.ID, t, 'shutdown', 'shutdown');
      return;
    }
    if (rank(t.reported) >= rank('running')) {
      if (t.reported === 'running' && task.Status.State === 'running') this.#countRunning(t, true);
      return;
    }
    // A task this node learns of part-way (accepted before a reconnect, then forgotten and sent again
    // in a full set) is started all the same, as a real agent would.
    if (t.starting) return;
    t.starting = true;
    this.#report(task.ID, t, 'accepted', 'accepted');
    setTimeout(() => {
      if (this.stopped || this.tasks.get(task.ID) !== t || !t.desiredRunning) return;
      for (const [state, message] of [['preparing', 'preparing'], ['starting', 'starting'], ['running', 'started']]) this.#report(task.ID, t, state, message);
    }, this.opts.startDelayMs);
  }

  #report(taskId, t, state, message) {
    if (rank(state) < rank(t.reported)) return;
    t.reported = state;
    const extra = state === 'running' ? { ContainerStatus: { ContainerID: `sim${taskId}`, PID: 1, ExitCode: 0 } } : {};
    this.pending.set(taskId, { Timestamp: new Date().toISOString(), State: state, Message: message, PortStatus: {}, ...extra });
    this.opts.dirty.add(this);
  }

  /** One batched UpdateTaskStatus of this node's latest statuses (the process calls it every 100 ms). */
  flush() {
    const client = this.client;
    if (!client || this.sessionId === null || this.pending.size === 0) return;
    if (this.flushing) {
      this.opts.dirty.add(this); // one call in flight per node; the next tick sends what came since
      return;
    }
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    const updates = [...batch].map(([taskId, status]) => ({ taskId, statusJson: Buffer.from(JSON.stringify(status)) }));
    const c = this.opts.counters;
    client.updateTaskStatus({ sessionId: this.sessionId, updates }, new grpc.Metadata(), { deadline: new Date(Date.now() + 30_000) }, (err) => {
      this.flushing = false;
      if (err) {
        c.reportErrors++;
        for (const [id, status] of batch) if (!this.pending.has(id) && this.tasks.has(id)) this.pending.set(id, status);
        this.opts.dirty.add(this);
        return;
      }
      c.reports += updates.length;
      for (const [id, status] of batch) {
        const t = this.tasks.get(id);
        if (t && status.State === 'running' && t.desiredRunning && this.client === client) this.#countRunning(t, true);
      }
    });
  }
}
