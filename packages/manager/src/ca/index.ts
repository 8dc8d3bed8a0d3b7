export * from './errors.js';
export { createRootCa, loadRootCa, ROOT_CA_COMMON_NAME, ROOT_CA_VALIDITY_MS, ROOT_CA_BACKDATE_MS, type RootCa, type CreateRootCaOptions } from './root-ca.js';
export { createKeyAndCsr, createCsr, type KeyAndCsr } from './csr.js';
export {
  issueNodeCertificate,
  DEFAULT_NODE_CERT_EXPIRY_MS,
  MIN_NODE_CERT_EXPIRY_MS,
  NODE_CERT_BACKDATE_MS,
  type IssueNodeCertificateRequest,
} from './issue.js';
export {
  parsePeerIdentity,
  certificateExpiry,
  certificateValidity,
  roleFromOu,
  ROLE_OU,
  CA_DNS_NAME,
  type NodeRole,
  type PeerIdentity,
} from './identity.js';
export { needsRenewal, renewalTimeMs, RENEWAL_LOWER_FRACTION, RENEWAL_UPPER_FRACTION } from './renewal.js';
export { tlsInfo, type TlsInfo } from './tls-info.js';
export { generateJoinToken, parseJoinToken, verifyCaAgainstToken, matchJoinToken, caDigestHex, type ParsedJoinToken } from './join-token.js';
export { NodeCertificateStore, type NodeTlsIdentity } from './cert-store.js';
export {
  grpcTlsMaterial,
  verifyPeerCertificate,
  checkManagerServerIdentity,
  MANAGER_SERVER_NAME,
  type GrpcTlsMaterial,
  type VerifyPeerOptions,
  type PeerCertificateInput,
} from './tls-material.js';
