// Closed-loop load: `clients` loops each issue one put and wait for its answer before the next, over
// keep-alive HTTP connections, against etcd's JSON gateway shape (POST /v3/kv/put, base64 key/value).
import http from 'node:http';
import { randomBytes } from 'node:crypto';

function putOnce(agent, port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v3/kv/put', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * Runs `clients` closed loops for `durationMs` (after `warmupMs` that is not counted) and returns
 * throughput and latency percentiles in milliseconds.
 */
export async function runLoad({ port, clients, durationMs, warmupMs = 500, valueBytes = 200 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const value = randomBytes(valueBytes).toString('base64');
  const latencies = [];
  let errors = 0;
  let counting = false;
  let running = true;
  const loop = async (client) => {
    for (let i = 0; running; i++) {
      const key = Buffer.from(`k${client}-${i}`).toString('base64');
      const body = Buffer.from(`{"key":"${key}","value":"${value}"}`);
      const start = process.hrtime.bigint();
      try {
        await putOnce(agent, port, body);
        if (counting) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      } catch {
        if (counting) errors++;
      }
    }
  };
  const loops = Array.from({ length: clients }, (_, c) => loop(c));
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, durationMs));
  counting = false;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  running = false;
  await Promise.all(loops);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    clients,
    ops: latencies.length,
    errors,
    opsPerSec: latencies.length / elapsedS,
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}
