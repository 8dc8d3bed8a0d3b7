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

/**
 * dockerd's message when a manager tries to leave without --force. `counts` is null when the managers
 * could not be counted (no leader): like dockerd, the message then says nothing about quorum.
 */
export function leaveRefusal(counts: { members: number; reachable: number } | null): string {
  const head = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
  const tail = 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';
  if (!counts) return head + tail;
  const { members, reachable } = counts;
  if (members <= 1) {
    return head + 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ';
  }
  const unreachable = members - reachable;
  // dockerd's removingManagerCausesLossOfQuorum, with the leaving manager among the reachable.
  const losesQuorum = reachable - 2 <= unreachable;
  const degrade = losesQuorum
    ? `Removing this node leaves ${reachable - 1} managers out of ${members}. Without a Raft quorum your swarm will be inaccessible. `
    : '';
  return head + degrade + tail;
}
