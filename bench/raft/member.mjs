// One shoal Raft member for the benchmark: RaftNode on LevelDB, the TCP transport of wire.mjs, a tiny
// key-value state machine, and an HTTP API shaped like etcd's JSON gateway (POST /v3/kv/put with
// base64 key and value) so one load generator drives both systems.
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { RaftNode } from '../../packages/raft/dist/src/index.js';
import { TcpTransport, readFrames } from './wire.mjs';

const { values: args } = parseArgs({
  options: { id: { type: 'string' }, dir: { type: 'string' }, 'raft-port': { type: 'string' }, 'http-port': { type: 'string' }, peers: { type: 'string' } },
});
const peers = new Map(Object.entries(JSON.parse(args.peers)).map(([id, port]) => [id, Number(port)]));

class KvStateMachine {
  data = new Map();
  apply(entries) {
    return entries.map((e) => {
      const buf = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
      const keyLen = buf.readUInt16BE(0);
      this.data.set(buf.toString('latin1', 2, 2 + keyLen), buf.subarray(2 + keyLen));
      return e.index;
    });
  }
  restore(data) {
    this.data = new Map(JSON.parse(Buffer.from(data).toString()).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  }
  snapshot() {
    return Buffer.from(JSON.stringify([...this.data].map(([k, v]) => [k, v.toString('base64')])));
  }
}

function encodePut(key, value) {
  const out = Buffer.allocUnsafe(2 + key.length + value.length);
  out.writeUInt16BE(key.length, 0);
  key.copy(out, 2);
  value.copy(out, 2 + key.length);
  return out;
}

const transport = new TcpTransport(peers);
// Snapshot policy as etcd's default (--snapshot-count 100000), so neither side snapshots during a run.
const node = await RaftNode.start(
  { id: args.id, dir: args.dir, transport, stateMachine: new KvStateMachine(), peers: [...peers.keys()] },
  { tickMs: 100, electionTicks: 10, heartbeatTicks: 1, snapshotEveryEntries: 100_000, onFatal: (err) => { console.error(err); process.exit(1); } },
);

const raftServer = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  readFrames(socket, (msg) => node.step(msg));
});
raftServer.listen(Number(args['raft-port']), '127.0.0.1');

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const api = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/status') return reply(res, 200, { id: node.id, leader: node.leaderId });
  if (req.method !== 'POST' || req.url !== '/v3/kv/put') return reply(res, 404, { error: 'not found' });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { key, value } = JSON.parse(Buffer.concat(chunks).toString());
    node.propose(encodePut(Buffer.from(key, 'base64'), Buffer.from(value, 'base64'))).then(
      (index) => reply(res, 200, { header: { revision: String(index) } }),
      (err) => reply(res, err.code === 'RAFT_NOT_LEADER' ? 421 : 503, { error: err.message, code: err.code }),
    );
  });
});
api.keepAliveTimeout = 60_000;
api.listen(Number(args['http-port']), '127.0.0.1', () => process.stdout.write('ready\n'));

async function shutdown() {
  api.close();
  raftServer.close();
  transport.close();
  await node.stop();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
