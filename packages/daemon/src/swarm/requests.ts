// Request bodies of the swarm endpoints and Docker's wording for refused leaves.
import type { NodeAvailability } from '@shoal/manager';

/** Body of POST /swarm/join, as the docker CLI sends it. */
export interface JoinRequest {
  readonly ListenAddr?: string;
  readonly AdvertiseAddr?: string;
  readonly DataPathAddr?: string;
  readonly RemoteAddrs?: readonly string[];
  readonly JoinToken?: string;
  readonly Availability?: NodeAvailability | '';
}

/** dockerd's message when a manager tries to leave without --force. */
export function leaveRefusal(counts: { members: number; reachable: number } | null): string {
  const head = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
  if (counts && counts.members <= 1) {
    return head + 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ';
  }
  const reachable = counts?.reachable ?? 0;
  const total = counts?.members ?? 0;
  const quorumAfter = Math.floor((total - 1) / 2) + 1;
  const degrade = reachable - 1 < quorumAfter
    ? `Removing this node leaves ${Math.max(reachable - 1, 0)} managers out of a possible ${total}. Without a Raft quorum your swarm will be inaccessible. `
    : '';
  return head + degrade + 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';
}
