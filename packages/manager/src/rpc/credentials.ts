// TLS for port 2377. Every connection is mutual TLS with the cluster's certificates, except that a
// node which has none yet (it is joining) may connect to ask for one: the server requests a client
// certificate but does not demand it at the handshake, and each RPC decides (see peer-auth.ts), as
// swarmkit does with VerifyClientCertIfGiven.
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { connectionCiphers } from './ciphers.js';

export interface TlsIdentity {
  readonly rootCaPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export class ClusterServerCredentials extends grpc.ServerCredentials {
  constructor(identity: TlsIdentity) {
    // A connection that never completes its handshake must not hold a descriptor for Node's default 120 s.
    super({ requestCert: true, rejectUnauthorized: false, ciphers: connectionCiphers, handshakeTimeout: 10_000 }, contextOptions(identity));
  }

  /** Certificate renewal: new connections use the new certificate, open ones keep theirs. */
  replace(identity: TlsIdentity): void {
    this.updateSecureContextOptions(contextOptions(identity));
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function contextOptions(identity: TlsIdentity) {
  return { ca: identity.rootCaPem, cert: identity.certPem, key: identity.keyPem };
}

export type ExpectedServerRole = 'manager';

/**
 * Client credentials: present our certificate and accept only a server whose certificate chains to
 * the cluster root and names a manager (managers serve every RPC on 2377).
 */
export function clientCredentials(identity: TlsIdentity | { readonly rootCaPem: string }): grpc.ChannelCredentials {
  const root = Buffer.from(identity.rootCaPem);
  const key = 'keyPem' in identity ? Buffer.from(identity.keyPem) : null;
  const cert = 'certPem' in identity ? Buffer.from(identity.certPem) : null;
  return grpc.credentials.createSsl(root, key, cert, {
    checkServerIdentity: (_host, peer) => checkManagerCertificate(peer),
  });
}

function checkManagerCertificate(peer: PeerCertificate): Error | undefined {
  const ou = firstValue(peer.subject?.OU);
  return ou === 'swarm-manager' ? undefined : new Error(`remote certificate is not a manager's (OU=${ou ?? 'none'})`);
}

export function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The TLS name every manager certificate carries, so clients may dial managers by IP address. */
export const MANAGER_TLS_NAME = 'swarm-manager';

export function channelOptions(): grpc.ChannelOptions {
  return {
    'grpc.ssl_target_name_override': MANAGER_TLS_NAME,
    'grpc.default_authority': MANAGER_TLS_NAME,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  };
}

export function parseCertificate(pem: string | Buffer): X509Certificate {
  return new X509Certificate(pem);
}
