// A minimal Engine API client over a daemon's unix socket: the benchmarks measure the servers, so
// requests go straight to the socket (keep-alive, no CLI start-up in the figures).
import http from 'node:http';

const API = '/v1.41';

export class EngineError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: HTTP ${status}: ${typeof body === 'object' && body !== null ? body.message : body}`);
    this.name = 'EngineError';
    this.code = 'ENGINE_HTTP';
    this.status = status;
  }
}

export class Engine {
  /** @param {string} socket path of the daemon's unix socket */
  constructor(socket, { timeoutMs = 30_000 } = {}) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** Resolves with the parsed JSON body (or undefined for an empty one); rejects on a non-2xx status. */
  request(method, path, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socket,
          agent: this.agent,
          method,
          path: `${API}${path}`,
          headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // plain-text error bodies stay text
            }
            if (res.statusCode >= 200 && res.statusCode < 300) resolve(parsed);
            else reject(new EngineError(method, path, res.statusCode, parsed));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close() {
    this.agent.destroy();
  }

  /** This daemon's swarm node ID. */
  async nodeId() {
    return (await this.request('GET', '/info')).Swarm.NodeID;
  }

  /** The swarm's nodes as the daemon lists them (only managers answer). */
  nodes() {
    return this.request('GET', '/nodes');
  }

  createNetwork(name) {
    return this.request('POST', '/networks/create', { Name: name, Driver: 'overlay', CheckDuplicate: true, Attachable: false, Labels: {} });
  }

  removeNetwork(idOrName) {
    return this.request('DELETE', `/networks/${encodeURIComponent(idOrName)}`);
  }

  /** A write every manager forwards to the leader: a label on a node (read-modify-write by version). */
  async labelNode(nodeId, key, value) {
    const node = await this.request('GET', `/nodes/${nodeId}`);
    const spec = { ...node.Spec, Labels: { ...(node.Spec.Labels ?? {}), [key]: value } };
    await this.request('POST', `/nodes/${nodeId}/update?version=${node.Version.Index}`, spec);
  }
}
