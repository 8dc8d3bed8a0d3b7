// The LogBroker gRPC service on 2377 (agents listen and publish; managers subscribe on the leader's
// behalf of their API clients) and the follower's side of SubscribeLogs.
import * as grpc from '@grpc/grpc-js';
import { LogBrokerClient, type LogBrokerServer, type PublishLogsMessage, type SubscribeLogsMessage } from '@shoal/proto';
import { authenticate, type AuthPolicy } from '../rpc/peer-auth.js';
import { toStatus } from '../services/handle.js';
import { ControlError } from './errors.js';
import type { LogBroker, LogSelector, LogSink } from './service-logs.js';

export interface LogBrokerHost {
  /** The broker, on the leader only: elsewhere SubscribeLogs and listeners are refused. */
  broker(): LogBroker | null;
}

const NOT_LEADER = 'not the leader: log subscriptions are served by the leader';

export function logBrokerService(host: LogBrokerHost, policy: AuthPolicy): LogBrokerServer {
  return {
    listenSubscriptions: (call) => {
      try {
        const peer = authenticate(call, policy, 'any');
        const broker = host.broker();
        if (!broker) throw new ControlError('unavailable', NOT_LEADER);
        const stopListening = broker.listen(peer.nodeId, (subscription) => call.write(subscription));
        call.on('cancelled', stopListening);
        call.on('close', stopListening);
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
    publishLogs: (call, callback) => {
      let nodeId: string;
      try {
        nodeId = authenticate(call, policy, 'any').nodeId;
      } catch (err) {
        callback(toStatus(err));
        return;
      }
      call.on('data', (message: PublishLogsMessage) => host.broker()?.publish(nodeId, message));
      call.on('end', () => callback(null, {}));
      call.on('error', () => {});
    },
    subscribeLogs: (call) => {
      try {
        authenticate(call, policy, 'manager');
        const broker = host.broker();
        if (!broker) throw new ControlError('unavailable', NOT_LEADER);
        const { serviceIds, taskIds, follow, tail } = call.request;
        const cancel = broker.subscribe(
          { serviceIds, taskIds, follow, tail },
          {
            messages: (messages) => call.write({ messages: [...messages], errors: [] } satisfies SubscribeLogsMessage),
            error: (text) => call.write({ messages: [], errors: [text] } satisfies SubscribeLogsMessage),
            end: () => call.end(),
          },
        );
        call.on('cancelled', cancel);
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
  };
}

/** A follower's subscription, served by the leader at `addr`; the returned function cancels it. */
export function subscribeThroughLeader(
  addr: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions,
  selector: LogSelector,
  sink: LogSink,
): () => void {
  const client = new LogBrokerClient(addr, credentials, options);
  const stream = client.subscribeLogs({ ...selector, serviceIds: [...selector.serviceIds], taskIds: [...selector.taskIds] });
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    client.close();
    sink.end();
  };
  stream.on('data', (message: SubscribeLogsMessage) => {
    if (message.messages.length > 0) sink.messages(message.messages);
    for (const error of message.errors) sink.error(error);
  });
  stream.on('end', end);
  stream.on('error', (err: grpc.ServiceError) => {
    if (err.code !== grpc.status.CANCELLED) sink.error(`the leader stopped sending logs: ${err.details || err.message}`);
    end();
  });
  return () => {
    stream.cancel();
    end();
  };
}
