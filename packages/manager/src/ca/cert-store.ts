// The node's TLS identity on disk, under <dataRoot>/certificates (0700): the private key (0600), the
// node certificate and the root CA certificate. Renewal replaces key and certificate together; since
// two renames cannot be one atomic step, both new files are written and synced first, then the key
// is renamed into place, then the certificate. load() finishes a replacement that a crash cut in
// half (new key in place, new certificate still in its temp file) and drops any other leftovers.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateStoreCorruptError } from './errors.js';
import { publicKeySpkiOfPrivateKey } from './keys.js';

export interface NodeTlsIdentity {
  readonly keyPem: string;
  readonly certPem: string;
  readonly rootCaPem: string;
}

/** swarmkit's file names, so an operator finds them where Docker keeps them. */
const KEY_FILE = 'swarm-node.key';
const CERT_FILE = 'swarm-node.crt';
const ROOT_FILE = 'swarm-root-ca.crt';
const TEMP_SUFFIX = '.tmp';
const DIR_MODE = 0o700;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function writeSynced(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'w', mode);
  try {
    await handle.chmod(mode); // the umask may have narrowed it; never widened, but be exact
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function keyMatchesCert(keyPem: string, certPem: string): boolean {
  try {
    const certSpki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return publicKeySpkiOfPrivateKey(keyPem).equals(certSpki);
  } catch {
    return false;
  }
}

export class NodeCertificateStore {
  /** `<dataRoot>/certificates`. */
  readonly dir: string;
  // Saves run one after another: interleaved renames of two saves could pair one's key with the other's certificate.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'certificates');
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private serialize<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The stored identity, or null when this node has none yet (never joined, or left). */
  load(): Promise<NodeTlsIdentity | null> {
    return this.serialize(() => this.loadNow());
  }

  /** Writes (or atomically replaces) the identity; creates the directory 0700. */
  save(identity: NodeTlsIdentity): Promise<void> {
    return this.serialize(() => this.saveNow(identity));
  }

  /** Deletes the identity (swarm leave). Idempotent. */
  remove(): Promise<void> {
    return this.serialize(() => rm(this.dir, { recursive: true, force: true }));
  }

  private async loadNow(): Promise<NodeTlsIdentity | null> {
    await this.recover();
    const keyPem = await readIfExists(this.path(KEY_FILE));
    const certPem = await readIfExists(this.path(CERT_FILE));
    const rootCaPem = await readIfExists(this.path(ROOT_FILE));
    if (keyPem === null && certPem === null && rootCaPem === null) return null;
    if (keyPem === null || certPem === null || rootCaPem === null) {
      throw new CertificateStoreCorruptError(this.dir, `missing one of ${KEY_FILE}, ${CERT_FILE}, ${ROOT_FILE}`);
    }
    if (!keyMatchesCert(keyPem, certPem)) {
      throw new CertificateStoreCorruptError(this.dir, `${KEY_FILE} does not belong to ${CERT_FILE}`);
    }
    return { keyPem, certPem, rootCaPem };
  }

  private async recover(): Promise<void> {
    const pendingCert = await readIfExists(this.path(CERT_FILE + TEMP_SUFFIX));
    const key = await readIfExists(this.path(KEY_FILE));
    if (pendingCert !== null && key !== null && keyMatchesCert(key, pendingCert)) {
      await rename(this.path(CERT_FILE + TEMP_SUFFIX), this.path(CERT_FILE));
    }
    for (const name of [KEY_FILE, CERT_FILE, ROOT_FILE]) await rm(this.path(name + TEMP_SUFFIX), { force: true });
  }

  private async saveNow(identity: NodeTlsIdentity): Promise<void> {
    if (!keyMatchesCert(identity.keyPem, identity.certPem)) throw new RangeError('key does not belong to the certificate');
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    await chmod(this.dir, DIR_MODE);
    const files: ReadonlyArray<[string, string, number]> = [
      [ROOT_FILE, identity.rootCaPem, CERT_MODE],
      [KEY_FILE, identity.keyPem, KEY_MODE],
      [CERT_FILE, identity.certPem, CERT_MODE],
    ];
    for (const [name, text, mode] of files) await writeSynced(this.path(name + TEMP_SUFFIX), text, mode);
    // Order matters for recover(): key before certificate.
    for (const [name] of files) await rename(this.path(name + TEMP_SUFFIX), this.path(name));
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
