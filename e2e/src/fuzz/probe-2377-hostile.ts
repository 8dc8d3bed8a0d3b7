// Runs inside a host's network namespace (started with execOnHost) and abuses a manager's port 2377,
// printing the outcome as JSON:
//   cert     — one control RPC with a certificate the test had the cluster's CA sign (expired or valid);
//   hold     — one connection that stays silent or stops in the middle of a TLS ClientHello: how long
//              the server keeps it (null when still open after holdMs);
//   flood    — `count` such connections held open while a legitimate manager makes a control call.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, createKeyAndCsr, issueNodeCertificate, type RootCa } from '@shoal/manager';
import { ControlClient } from '@shoal/proto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

export type HoldKind = 'silent' | 'half-tls';

export type HostileProbe =
  | { mode: 'cert'; addr: string; rootCaPem: string; ca: RootCa; nodeId: string; clusterId: string; role: 'manager' | 'worker'; notAfterAgoMs: number }
  | { mode: 'hold'; addr: string; kind: HoldKind; holdMs: number }
  | { mode: 'flood'; addr: string; count: number; rootCaPem: string; dataRoot: string };

// The first bytes of a TLS 1.2 ClientHello: record header and handshake header promising more.
const PARTIAL_CLIENT_HELLO = Buffer.from('160301020001000200030300', 'hex');

async function callListNodes(addr: string, creds: grpc.ChannelCredentials): Promise<{ code: number; details: string; ms: number }> {
  const started = Date.now();
  const client = new ControlClient(addr, creds, channelOptions());
  try {
    return await new Promise((resolve) => {
      client.call({ method: 'listNodes', payloadJson: Buffer.from('{}') }, new grpc.Metadata(), { deadline: new Date(Date.now() + 10_000) }, (err) =>
        resolve({ code: err ? err.code : grpc.status.OK, details: err ? err.details : '', ms: Date.now() - started }),
      );
    });
  } finally {
    client.close();
  }
}

async function certProbe(p: Extract<HostileProbe, { mode: 'cert' }>): Promise<unknown> {
  const { keyPem, csrPem } = await createKeyAndCsr();
  // Valid for the minimum hour, ending notAfterAgoMs ago (negative: still valid).
  const expiryMs = 3_600_000;
  const nowMs = Date.now() - p.notAfterAgoMs - expiryMs;
  const certPem = issueNodeCertificate({ ca: p.ca, csrPem, nodeId: p.nodeId, role: p.role, clusterId: p.clusterId, expiryMs, nowMs });
  return callListNodes(p.addr, grpc.credentials.createSsl(Buffer.from(p.rootCaPem), Buffer.from(keyPem), Buffer.from(certPem)));
}

function open(addr: string, kind: HoldKind): Promise<Socket> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => {
      if (kind === 'half-tls') socket.write(PARTIAL_CLIENT_HELLO);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function holdProbe(p: Extract<HostileProbe, { mode: 'hold' }>): Promise<unknown> {
  const started = Date.now();
  const socket = await open(p.addr, p.kind);
  socket.on('error', () => undefined);
  const closedAfterMs = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), p.holdMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
  socket.destroy();
  return { closedAfterMs };
}

async function floodProbe(p: Extract<HostileProbe, { mode: 'flood' }>): Promise<unknown> {
  const sockets = await Promise.all(Array.from({ length: p.count }, (_, i) => open(p.addr, i % 2 === 0 ? 'silent' : 'half-tls')));
  for (const s of sockets) s.on('error', () => undefined);
  try {
    const dir = join(p.dataRoot, 'swarm', 'certificates');
    const creds = grpc.credentials.createSsl(Buffer.from(p.rootCaPem), readFileSync(join(dir, 'swarm-node.key')), readFileSync(join(dir, 'swarm-node.crt')));
    const legit = await callListNodes(p.addr, creds);
    return { ...legit, stillOpen: sockets.filter((s) => !s.destroyed).length };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

if (process.argv[1]?.endsWith('probe-2377-hostile.js')) {
  const probe = JSON.parse(process.argv[2] ?? '{}') as HostileProbe;
  const outcome = probe.mode === 'cert' ? await certProbe(probe) : probe.mode === 'hold' ? await holdProbe(probe) : await floodProbe(probe);
  process.stdout.write(JSON.stringify(outcome) + '\n');
}
