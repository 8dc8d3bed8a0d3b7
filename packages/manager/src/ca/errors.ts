/** Stable codes of the CA's errors; the API edge maps them to HTTP status and gRPC codes. */
export type CaErrorCode =
  /** A join token that is not `SWMTKN-1-<50 base36>-<25 base36>`. */
  | 'ERR_INVALID_JOIN_TOKEN'
  /** A well-formed token that is not a current token of this cluster (rotated away, other cluster). */
  | 'ERR_JOIN_TOKEN_REJECTED'
  /** The root CA a manager served does not hash to the digest in the join token. */
  | 'ERR_CA_DIGEST_MISMATCH'
  /** A CSR that does not parse, has a bad signature, or a key the CA does not accept. */
  | 'ERR_INVALID_CSR'
  /** A root CA certificate/key pair that is not a usable CA. */
  | 'ERR_INVALID_ROOT_CA'
  /** A peer certificate that does not chain to the root, is outside its validity, or names no role. */
  | 'ERR_INVALID_PEER_CERTIFICATE'
  /** The node's certificate files exist but cannot be used (key and certificate do not belong together). */
  | 'ERR_CERTIFICATE_STORE_CORRUPT';

export class CaError extends Error {
  override readonly name: string = 'CaError';

  constructor(
    readonly code: CaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Docker's message for every malformed token ("Error response from daemon: invalid join token"). */
export class InvalidJoinTokenError extends CaError {
  override readonly name = 'InvalidJoinTokenError';

  /** `reason` says what is wrong, for logs; the message stays Docker's. */
  constructor(readonly reason: string) {
    super('ERR_INVALID_JOIN_TOKEN', 'invalid join token');
  }
}

export class JoinTokenRejectedError extends CaError {
  override readonly name = 'JoinTokenRejectedError';

  constructor() {
    // swarmkit's wording (ca/server.go IssueNodeCertificate).
    super('ERR_JOIN_TOKEN_REJECTED', 'A valid join token is necessary to join this cluster');
  }
}

export class CaDigestMismatchError extends CaError {
  override readonly name = 'CaDigestMismatchError';

  constructor(readonly expectedDigestHex: string, readonly actualDigestHex: string) {
    // swarmkit's wording (ca/certificates.go GetRemoteCA).
    super('ERR_CA_DIGEST_MISMATCH', `remote CA does not match fingerprint. Expected: sha256:${expectedDigestHex}`);
  }
}

export class InvalidCsrError extends CaError {
  override readonly name = 'InvalidCsrError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_CSR', `invalid certificate signing request: ${detail}`, options);
  }
}

export class InvalidRootCaError extends CaError {
  override readonly name = 'InvalidRootCaError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_ROOT_CA', `invalid root CA: ${detail}`, options);
  }
}

export class InvalidPeerCertificateError extends CaError {
  override readonly name = 'InvalidPeerCertificateError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_PEER_CERTIFICATE', `invalid peer certificate: ${detail}`, options);
  }
}

export class CertificateStoreCorruptError extends CaError {
  override readonly name = 'CertificateStoreCorruptError';

  constructor(readonly dir: string, detail: string, options?: { cause?: unknown }) {
    super('ERR_CERTIFICATE_STORE_CORRUPT', `node certificates in ${dir} are unusable: ${detail}`, options);
  }
}
