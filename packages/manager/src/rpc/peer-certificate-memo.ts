// grpc-js hands a handler its caller's certificate only through getAuthContext(), which calls the TLS
// socket's getPeerCertificate() on every RPC; Node builds the certificate object anew each time
// (subject, issuer, three fingerprints, public key). With 5,000 nodes heartbeating that was the
// largest single cost on the leader (bench/scale profiles, docs/benchmarks.md). A TLS 1.3 connection
// cannot renegotiate, so its peer certificate is fixed once the handshake is done: remember it per
// socket. TLS 1.2 connections, and detailed chains, are answered as before.
import { TLSSocket, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';

let installed = false;

export function memoizePeerCertificates(): void {
  if (installed) return;
  installed = true;
  const original = TLSSocket.prototype.getPeerCertificate;
  const memo = new WeakMap<TLSSocket, PeerCertificate>();
  function getPeerCertificate(this: TLSSocket, detailed: true): DetailedPeerCertificate;
  function getPeerCertificate(this: TLSSocket, detailed?: false): PeerCertificate;
  function getPeerCertificate(this: TLSSocket, detailed?: boolean): PeerCertificate | DetailedPeerCertificate;
  function getPeerCertificate(this: TLSSocket, detailed?: boolean): PeerCertificate | DetailedPeerCertificate {
    if (detailed) return original.call(this, true);
    const known = memo.get(this);
    if (known !== undefined) return known;
    const cert = original.call(this, false);
    if (cert?.raw !== undefined && this.getProtocol() === 'TLSv1.3') memo.set(this, cert);
    return cert;
  }
  TLSSocket.prototype.getPeerCertificate = getPeerCertificate;
}
