// Runs inside a host's network namespace (started by a test with execOnHost) and calls one RPC on a
// manager's port 2377 with the credentials a test names, printing the gRPC outcome as JSON. This is
// how the e2e suite knocks on the door with no certificate, a foreign CA's certificate, a worker's
// or a removed node's certificate.
import * as grpc from '@grpc/grpc-js';
import { channelOptions, createKeyAndCsr, createRootCa, issueNodeCertificate, newId } from '@shoal/manager';
import { ControlClient } from '@shoal/proto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export type ProbeCredentials = { kind: 'none' } | { kind: 'foreign-ca' } | { kind: 'node'; dataRoot: string };

interface ProbeArgs {
  readonly addr: string;
  readonly rootCaPem: string;
  readonly credentials: ProbeCredentials;
}

async function credentials(args: ProbeArgs): Promise<grpc.ChannelCredentials> {
  const root = Buffer.from(args.rootCaPem);
  const c = args.credentials;
  if (c.kind === 'none') return grpc.credentials.createSsl(root);
  if (c.kind === 'foreign-ca') {
    const ca = await createRootCa();
    const { keyPem, csrPem } = await createKeyAndCsr();
    const certPem = issueNodeCertificate({ ca, csrPem, nodeId: newId(), role: 'manager', clusterId: newId(), expiryMs: 3_600_000 });
    return grpc.credentials.createSsl(root, Buffer.from(keyPem), Buffer.from(certPem));
  }
  const dir = join(c.dataRoot, 'swarm', 'certificates');
  return grpc.credentials.createSsl(root, readFileSync(join(dir, 'swarm-node.key')), readFileSync(join(dir, 'swarm-node.crt')));
}

async function callControl(args: ProbeArgs): Promise<{ code: number; details: string }> {
  const client = new ControlClient(args.addr, await credentials(args), channelOptions());
  try {
    return await new Promise((resolve) => {
      const payloadJson = Buffer.from('{}');
      client.call({ method: 'listNodes', payloadJson }, new grpc.Metadata(), { deadline: new Date(Date.now() + 10_000) }, (err) =>
        resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' }),
      );
    });
  } finally {
    client.close();
  }
}

/** Garbage on 2377: the server must drop the connection and stay up. */
function sendGarbage(addr: string): Promise<{ code: number; details: string }> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = connect(Number(port), host, () => socket.end(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\x16\x03garbage'.repeat(64))));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ code: -1, details: 'connection closed' }));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

const mode = process.argv[2];
const args = JSON.parse(process.argv[3] ?? '{}') as ProbeArgs;
const outcome = mode === 'garbage' ? await sendGarbage(args.addr) : await callControl(args);
process.stdout.write(JSON.stringify(outcome) + '\n');
