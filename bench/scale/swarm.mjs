// What benchmark 5 asks the managers through the Engine API: reads from a follower (so polling does
// not load the leader whose figures are measured), writes to the leader.
export class Swarm {
  /** @param {import('../lib/engine.mjs').Engine} reader  @param {import('../lib/engine.mjs').Engine} writer */
  constructor(reader, writer) {
    this.reader = reader;
    this.writer = writer;
  }

  /** How many of `ids` the managers hold ready and down. */
  async nodeStates(ids) {
    const counts = { ready: 0, down: 0 };
    for (const n of await this.reader.nodes()) {
      if (!ids.has(n.ID)) continue;
      if (n.Status.State === 'ready') counts.ready++;
      else if (n.Status.State === 'down') counts.down++;
    }
    return counts;
  }

  /** A replicated service of busybox `sleep` (never started: the simulated nodes only report it running). */
  async createService(name, replicas) {
    const res = await this.writer.request('POST', '/services/create', {
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', Command: ['sleep', '1d'] } },
      Mode: { Replicated: { Replicas: replicas } },
    });
    return res.ID;
  }

  /** RunningTasks/DesiredTasks as `service ls` shows them. */
  async serviceStatus(id) {
    const list = await this.reader.request('GET', `/services?status=true&filters=${encodeURIComponent(JSON.stringify({ id: [id] }))}`);
    const svc = list.find((s) => s.ID === id);
    if (!svc) throw new Error(`service ${id} not listed`);
    return svc.ServiceStatus;
  }
}
