// A fixture run inside test namespaces:
//   host JSON   the embedded DNS server with a ServiceDirectory built from JSON (see HostConfig);
//               prints "ready" once listening
//   stub        an outside resolver on 0.0.0.0:53 (UDP and TCP): www.example.test → 198.51.100.80,
//               NXDOMAIN for everything else; prints "ready"
//   ask NAME TYPE [tcp]   one query to 127.0.0.11:53; prints {"rcode","answers","truncated"} as JSON
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { decodeMessage, encodeQuery, encodeResponse, RCODE, RR_TYPE, type Answer } from '../../../src/network/dns/codec.js';
import { ServiceDirectory, type Asker, type NetworkRecords } from '../../../src/network/dns/directory.js';
import { EmbeddedDnsServer } from '../../../src/network/dns/server.js';
import { parseUpstream } from '../../../src/network/dns/forwarder.js';

export interface HostConfig {
  listen: string;
  upstream: string;
  networks: Record<string, NetworkRecords>;
  sandboxes: Record<string, Asker>;
}

const TYPES: Record<string, number> = { A: RR_TYPE.A, AAAA: RR_TYPE.AAAA, PTR: RR_TYPE.PTR, MX: 15 };
const [mode, ...args] = process.argv.slice(2);

if (mode === 'host') {
  const config = JSON.parse(args[0]!) as HostConfig;
  const directory = new ServiceDirectory();
  for (const [id, records] of Object.entries(config.networks)) directory.setNetwork(id, records);
  for (const [ip, asker] of Object.entries(config.sandboxes)) directory.setSandbox(ip, asker);
  await EmbeddedDnsServer.start({ listenAddress: config.listen, resolver: directory, upstreams: [parseUpstream(config.upstream)], forwardTimeoutMs: 2000 });
  console.log('ready');
} else if (mode === 'stub') {
  const answer = (raw: Buffer): Buffer => {
    const q = decodeMessage(raw);
    const question = q.questions[0]!;
    const known = question.name.toLowerCase() === 'www.example.test';
    const answers: Answer[] = known && question.type === RR_TYPE.A ? [{ type: 'A', name: question.name, ttl: 60, address: '198.51.100.80' }] : [];
    return encodeResponse({ id: q.id, recursionDesired: q.recursionDesired, question, rcode: known ? RCODE.NOERROR : RCODE.NXDOMAIN, answers });
  };
  const udp = createSocket('udp4');
  udp.on('message', (msg, r) => udp.send(answer(msg), r.port, r.address));
  udp.bind(53);
  createServer((s) => {
    s.once('data', (b: Buffer) => {
      const reply = answer(b.subarray(2));
      const frame = Buffer.alloc(2);
      frame.writeUInt16BE(reply.length, 0);
      s.end(Buffer.concat([frame, reply]));
    });
  }).listen(53, () => console.log('ready'));
} else if (mode === 'ask') {
  const [name, type, transport] = args;
  const query = encodeQuery(0x1234, name!, TYPES[type!]!);
  const raw = transport === 'tcp' ? await askTcp(query) : await askUdp(query);
  const reply = decodeMessage(raw);
  if (reply.id !== 0x1234) throw new Error(`reply ID ${reply.id} is not the query's`);
  console.log(JSON.stringify({ rcode: reply.rcode, truncated: reply.truncated, answers: reply.answers.map((a) => a.data).sort() }));
} else {
  console.error('usage: host JSON | stub | ask NAME TYPE [tcp]');
  process.exit(2);
}

function askUdp(query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(query, 53, '127.0.0.11');
  });
}

function askTcp(query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.11', port: 53 });
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    let got = Buffer.alloc(0);
    const frame = Buffer.alloc(2);
    frame.writeUInt16BE(query.length, 0);
    socket.on('connect', () => socket.write(Buffer.concat([frame, query])));
    socket.on('error', reject);
    socket.on('data', (b: Buffer) => {
      got = Buffer.concat([got, b]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got.subarray(2, 2 + got.readUInt16BE(0)));
      }
    });
  });
}
