import { createCsr, createRootCa, issueNodeCertificate, type NodeRole, type RootCa } from '../../src/ca/index.js';
import { newId } from '../../src/ids/index.js';
import { NODE_TEST_KEYS, ROOT_TEST_KEYS } from './fixed-keys.js';

/** A whole second, so certificate times (second precision) compare exactly. */
export const NOW_MS = Date.UTC(2030, 0, 15, 12, 0, 0);
export const HOUR_MS = 3_600_000;

export interface IssuedNode {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly role: NodeRole;
  readonly keyPem: string;
  readonly certPem: string;
}

export interface IssueOptions {
  readonly clusterId?: string;
  readonly nowMs?: number;
  readonly expiryMs?: number;
}

let nextKey = 0;

/**
 * A certificate from `ca` for the next of the fixed test keys (round robin, so up to
 * NODE_TEST_KEYS.length nodes made in a row have distinct keys). Key generation itself is tested
 * where it is the subject.
 */
export function issueNode(ca: RootCa, role: NodeRole, options: IssueOptions = {}): IssuedNode {
  const keyPem = NODE_TEST_KEYS[nextKey++ % NODE_TEST_KEYS.length] ?? '';
  const nodeId = newId();
  const clusterId = options.clusterId ?? newId();
  const certPem = issueNodeCertificate({
    ca,
    csrPem: createCsr(keyPem),
    nodeId,
    role,
    clusterId,
    expiryMs: options.expiryMs ?? 24 * HOUR_MS,
    nowMs: options.nowMs ?? Date.now(),
  });
  return { nodeId, clusterId, role, keyPem, certPem };
}

let clusterRoot: Promise<RootCa> | null = null;
let strangerRoot: Promise<RootCa> | null = null;

/** The cluster's root CA (on a fixed test key). */
export function rootCa(): Promise<RootCa> {
  clusterRoot ??= createRootCa({ keyPem: ROOT_TEST_KEYS[0] });
  return clusterRoot;
}

/** Two unrelated root CAs: the cluster's, and another one for "a stranger's certificate". */
export function twoRoots(): Promise<[RootCa, RootCa]> {
  strangerRoot ??= createRootCa({ keyPem: ROOT_TEST_KEYS[1] });
  return Promise.all([rootCa(), strangerRoot]);
}
