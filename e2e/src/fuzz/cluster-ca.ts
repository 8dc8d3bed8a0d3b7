// The cluster's root CA key, read from a stopped manager's Raft log (the only place it is kept), so a
// test can sign certificates the cluster's own CA would never issue, e.g. one that has expired.
import { LevelLogStore } from '@shoal/raft';
import { join } from 'node:path';
import type { RootCa } from '@shoal/manager';

const ROOT_CA = /"RootCA":(\{"CertPem":"(?:[^"\\]|\\.)*","KeyPem":"(?:[^"\\]|\\.)*"\})/;

/** Reads the root CA from `dataRoot`'s Raft log; the manager's daemon must be stopped (LevelDB is locked). */
export async function readClusterCa(dataRoot: string): Promise<RootCa> {
  const log = await LevelLogStore.open(join(dataRoot, 'swarm', 'raft'));
  try {
    const durable = await log.load();
    const blobs = [durable.snapshot?.data, ...durable.entries.map((e) => e.data)].filter((d): d is Uint8Array => d !== undefined);
    for (const blob of blobs.reverse()) {
      const m = ROOT_CA.exec(new TextDecoder().decode(blob));
      if (m) {
        const { CertPem, KeyPem } = JSON.parse(m[1]!) as { CertPem: string; KeyPem: string };
        return { certPem: CertPem, keyPem: KeyPem };
      }
    }
    throw new Error(`no root CA in the Raft log under ${dataRoot}`);
  } finally {
    await log.close();
  }
}
