// The network key ring as the session message carries it to agents (swarmkit sends it to every node).
import type { EncryptionKey } from '@shoal/proto';
import type { ClusterObject } from '../store/objects.js';

/** Stored objects are immutable: one conversion per cluster version, however many sessions it goes to. */
const converted = new WeakMap<ClusterObject, EncryptionKey[]>();

export function sessionKeys(cluster: ClusterObject | undefined): EncryptionKey[] {
  if (cluster === undefined) return [];
  let keys = converted.get(cluster);
  if (keys === undefined) {
    keys = (cluster.NetworkBootstrapKeys ?? []).map((k) => ({
      subsystem: k.Subsystem,
      algorithm: k.Algorithm,
      key: new Uint8Array(Buffer.from(k.Key, 'base64')),
      lamportTime: k.LamportTime,
    }));
    converted.set(cluster, keys);
  }
  return keys;
}
