// A stand-in Engine API on a temporary unix socket: answers from a route table and records
// every request, so tests can assert exactly what the CLI sent.

import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface Answer {
  status?: number;
  json?: unknown;
  /** Sent with this Content-Type instead of application/json. */
  text?: string;
  contentType?: string;
}

export type Routes = Record<string, Answer>;

export interface FakeEngine {
  socketPath: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Routes are keyed "METHOD /path" (version prefix and query removed). */
export async function startFakeEngine(routes: Routes, apiVersion = '1.41'): Promise<FakeEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-test-'));
  const socketPath = join(dir, 'engine.sock');
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://engine');
      const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
      const text = Buffer.concat(chunks).toString();
      const common = { 'Api-Version': apiVersion, Ostype: 'linux', 'Docker-Experimental': 'false' };
      if (path === '/_ping') {
        res.writeHead(200, common);
        res.end(req.method === 'GET' ? 'OK' : '');
        return;
      }
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? null : JSON.parse(text),
      });
      const answer = routes[`${req.method} ${path}`] ?? { status: 404, json: { message: 'page not found' } };
      if (answer.json === undefined && answer.text === undefined) {
        res.writeHead(answer.status ?? 200, { ...common, 'Content-Length': 0 });
        res.end();
        return;
      }
      const body = answer.text ?? JSON.stringify(answer.json);
      res.writeHead(answer.status ?? 200, { ...common, 'Content-Type': answer.contentType ?? 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
