// Real certificates from the ca module for the RPC tests: one cluster CA, a stranger's CA, and
// node certificates on one shared key (key generation is tested where it is the subject).
import { createKeyAndCsr, createRootCa, issueNodeCertificate, type KeyAndCsr, type NodeRole, type RootCa } from '../../src/ca/index.js';
import { newId } from '../../src/ids/index.js';

export const HOUR_MS = 3_600_000;

export interface TestPki {
  readonly ca: RootCa;
  readonly stranger: RootCa;
  readonly clusterId: string;
  readonly key: KeyAndCsr;
}

let pki: Promise<TestPki> | null = null;

export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const [ca, stranger, key] = await Promise.all([createRootCa(), createRootCa(), createKeyAndCsr()]);
    return { ca, stranger, clusterId: newId(), key };
  })();
  return pki;
}

export interface NodeCert {
  readonly nodeId: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export function nodeCert(p: TestPki, role: NodeRole, opts: { ca?: RootCa; clusterId?: string; nowMs?: number } = {}): NodeCert {
  const nodeId = newId();
  const certPem = issueNodeCertificate({
    ca: opts.ca ?? p.ca,
    csrPem: p.key.csrPem,
    nodeId,
    role,
    clusterId: opts.clusterId ?? p.clusterId,
    expiryMs: 2 * HOUR_MS,
    nowMs: opts.nowMs ?? Date.now(),
  });
  return { nodeId, certPem, keyPem: p.key.keyPem };
}
