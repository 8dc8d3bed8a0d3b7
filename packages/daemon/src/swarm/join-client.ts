// The joining side of `swarm join`: fetch the root CA over TLS without trusting it yet, pin it against
// the digest in the join token, then ask (now verifying the manager) for a certificate.
import * as grpc from '@grpc/grpc-js';
import {
  ControlError,
  channelOptions,
  clientCredentials,
  createKeyAndCsr,
  verifyCaAgainstToken,
  parseJoinToken,
  type NodeAvailability,
  type TlsIdentity,
} from '@shoal/manager';
import { NodeAvailability as WireAvailability, NodeCAClient, NodeRole, RaftClient, type JoinResponse } from '@shoal/proto';

const CALL_TIMEOUT_MS = 20_000;

export interface Admission {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly role: 'manager' | 'worker';
  readonly identity: TlsIdentity;
}

export async function requestAdmission(req: {
  remoteAddr: string;
  token: string;
  availability: NodeAvailability;
  hostname: string;
  addr: string;
}): Promise<Admission> {
  try {
    parseJoinToken(req.token);
  } catch (err) {
    throw new ControlError('invalid-argument', (err as Error).message);
  }
  const rootCaPem = await fetchRootCa(req.remoteAddr);
  try {
    verifyCaAgainstToken(rootCaPem, req.token);
  } catch (err) {
    throw new ControlError('invalid-argument', `remote CA does not match fingerprint. ${(err as Error).message}`);
  }
  const { keyPem, csrPem } = await createKeyAndCsr();
  const client = new NodeCAClient(req.remoteAddr, clientCredentials({ rootCaPem }), channelOptions());
  try {
    const res = await unaryCall<{ nodeId: string; role: number; certificatePem: string; clusterId: string }>((cb) =>
      client.issueNodeCertificate(
        { csrPem, token: req.token, availability: WIRE_AVAILABILITY[req.availability], hostname: req.hostname, addr: req.addr },
        new grpc.Metadata(),
        { deadline: deadline() },
        cb,
      ),
    );
    return {
      nodeId: res.nodeId,
      clusterId: res.clusterId,
      role: res.role === NodeRole.MANAGER ? 'manager' : 'worker',
      identity: { rootCaPem, certPem: res.certificatePem, keyPem },
    };
  } finally {
    client.close();
  }
}

const WIRE_AVAILABILITY: Record<NodeAvailability, (typeof WireAvailability)[keyof typeof WireAvailability]> = {
  active: WireAvailability.ACTIVE,
  pause: WireAvailability.PAUSE,
  drain: WireAvailability.DRAIN,
};

async function fetchRootCa(remoteAddr: string): Promise<string> {
  // Not verified here on purpose: the token's digest pins what comes back.
  const insecure = grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false });
  const client = new NodeCAClient(remoteAddr, insecure, channelOptions());
  try {
    const res = await unaryCall<{ certificatePem: string }>((cb) => client.getRootCaCertificate({}, new grpc.Metadata(), { deadline: deadline() }, cb));
    return res.certificatePem;
  } finally {
    client.close();
  }
}

/** Renews this node's certificate; the new one carries the role the cluster now wants. */
export async function renewCertificate(managerAddr: string, identity: TlsIdentity): Promise<TlsIdentity> {
  const { keyPem, csrPem } = await createKeyAndCsr();
  const client = new NodeCAClient(managerAddr, clientCredentials(identity), channelOptions());
  try {
    const res = await unaryCall<{ certificatePem: string }>((cb) =>
      client.renewNodeCertificate({ csrPem }, new grpc.Metadata(), { deadline: deadline() }, cb),
    );
    return { rootCaPem: identity.rootCaPem, certPem: res.certificatePem, keyPem };
  } finally {
    client.close();
  }
}

/** Asks a manager to add this (manager) node to the Raft group. */
export async function joinRaft(managerAddr: string, identity: TlsIdentity, nodeId: string, addr: string): Promise<JoinResponse> {
  const client = new RaftClient(managerAddr, clientCredentials(identity), channelOptions());
  try {
    return await unaryCall<JoinResponse>((cb) => client.join({ nodeId, addr }, new grpc.Metadata(), { deadline: deadline() }, cb));
  } finally {
    client.close();
  }
}

/** Asks the managers to take this manager out of the Raft group. */
export async function leaveRaft(managerAddr: string, identity: TlsIdentity, nodeId: string): Promise<void> {
  const client = new RaftClient(managerAddr, clientCredentials(identity), channelOptions());
  try {
    await unaryCall((cb) => client.leave({ nodeId }, new grpc.Metadata(), { deadline: deadline() }, cb));
  } finally {
    client.close();
  }
}

function deadline(): Date {
  return new Date(Date.now() + CALL_TIMEOUT_MS);
}

function unaryCall<T>(start: (cb: (err: grpc.ServiceError | null, res: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, res) => (err ? reject(fromStatus(err)) : resolve(res)));
  });
}

/** A manager's refusal keeps its code and message; a transport failure names the address. */
function fromStatus(err: grpc.ServiceError): ControlError {
  switch (err.code) {
    case grpc.status.INVALID_ARGUMENT:
      return new ControlError('invalid-argument', err.details);
    case grpc.status.PERMISSION_DENIED:
    case grpc.status.UNAUTHENTICATED:
      return new ControlError('permission-denied', err.details);
    case grpc.status.FAILED_PRECONDITION:
      return new ControlError('failed-precondition', err.details);
    case grpc.status.NOT_FOUND:
      return new ControlError('not-found', err.details);
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.UNAVAILABLE:
      return new ControlError('unavailable', `Timeout was reached before node joined. ${err.details}`);
    default:
      return new ControlError('internal', err.details || err.message);
  }
}
