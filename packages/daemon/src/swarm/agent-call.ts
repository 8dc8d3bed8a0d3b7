// The few control operations an agent runs for its own node (attaching standalone containers to
// attachable overlays): on a manager through its Manager, elsewhere through Control.Call on the
// manager its session is connected to, which forwards to the leader.
import * as grpc from '@grpc/grpc-js';
import { ControlError, channelOptions, clientCredentials, type TlsIdentity } from '@shoal/manager';
import { ControlClient, type ControlResponse } from '@shoal/proto';

const DEADLINE_MS = 15_000;

export async function callAsAgent(managerAddr: string, identity: TlsIdentity, method: string, payload: unknown): Promise<unknown> {
  const client = new ControlClient(managerAddr, clientCredentials(identity), channelOptions());
  try {
    const request = { method, payloadJson: Buffer.from(JSON.stringify(payload ?? null)) };
    const response = await new Promise<ControlResponse>((resolve, reject) =>
      client.call(request, new grpc.Metadata(), { deadline: new Date(Date.now() + DEADLINE_MS) }, (err, res) => (err ? reject(err) : resolve(res))),
    ).catch((err: grpc.ServiceError) => {
      throw new ControlError('unavailable', `the managers could not be reached: ${err.details ?? err.message}`, { cause: err });
    });
    const outcome = response.outcome;
    if (outcome?.$case === 'error') throw new ControlError(outcome.value.code as ControlError['code'], outcome.value.message);
    return outcome?.$case === 'resultJson' ? JSON.parse(Buffer.from(outcome.value).toString('utf8')) : null;
  } finally {
    client.close();
  }
}
