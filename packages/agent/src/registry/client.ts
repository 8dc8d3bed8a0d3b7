// A session with one repository of one registry: finds the endpoint (HTTPS, or for insecure
// registries HTTPS without verification then plain HTTP, as dockerd tries them), answers the
// registry's auth challenge once per session, and fetches manifests and blobs. Registry errors keep
// the registry's own words ("manifest unknown: manifest unknown").
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImageError } from '../images/types.js';
import { basicHeader, parseChallenge, type Challenge, type RegistryAuth } from './auth.js';
import { isInsecureRegistry, tlsSettings, type RegistryOptions } from './endpoints.js';
import { HttpTransportError, readAll, send, type HttpRequest, type HttpResponse, type TlsSettings } from './http.js';
import { MANIFEST_ACCEPT, parseManifest, type ImageManifest, type ManifestIndex } from './manifest.js';
import { familiarRepository, familiarString, registryHost, type RemoteReference } from './reference.js';

/** A failure talking to a registry; `code` maps to the HTTP status dockerd answers with. */
export class RegistryError extends ImageError {
  override name = 'RegistryError';
}

export interface FetchedManifest {
  readonly manifest: ImageManifest | ManifestIndex;
  /** sha256 of the bytes the registry served: what RepoDigests and `Digest:` show. */
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export class RegistrySession {
  readonly #ref: RemoteReference;
  readonly #base: string;
  readonly #tls: TlsSettings;
  readonly #authorization: string | undefined;

  private constructor(ref: RemoteReference, base: string, tls: TlsSettings, authorization: string | undefined) {
    this.#ref = ref;
    this.#base = base;
    this.#tls = tls;
    this.#authorization = authorization;
  }

  /** Pings /v2/ on the registry of `ref` and authenticates for `actions` on its repository. */
  static async open(ref: RemoteReference, options: RegistryOptions, auth: RegistryAuth, actions = 'pull'): Promise<RegistrySession> {
    const { base, tls, ping } = await pingRegistry(registryHost(ref), options);
    ping.body.resume();
    if (ping.status !== 401) return new RegistrySession(ref, base, tls, undefined);
    const challenge = parseChallenge(ping.headers['www-authenticate']);
    const authorization = await answerChallenge(challenge, auth, `repository:${ref.path}:${actions}`, tls);
    if (authorization === undefined) {
      const url = `${base}/v2/${ref.path}/manifests/${ref.digest ?? ref.tag}`;
      throw new RegistryError('internal', `Head "${url}": no basic auth credentials`);
    }
    return new RegistrySession(ref, base, tls, authorization);
  }

  /** The manifest `reference` (a tag or a digest) names; a digest is checked against the bytes. */
  async manifest(reference: string): Promise<FetchedManifest> {
    const res = await this.#get(`/manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    if (res.status !== 200) throw await this.#manifestError(res, reference);
    const bytes = await readAll(res.body);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError('internal', `manifest verification failed for digest ${reference}`);
    }
    const contentType = res.headers['content-type'];
    return { manifest: parseManifest(bytes, typeof contentType === 'string' ? contentType : undefined), digest, size: bytes.length, bytes };
  }

  /** A blob's bytes as a stream; the caller verifies the digest while it reads. */
  async blob(digest: string): Promise<{ body: Readable; sizeBytes: number | undefined }> {
    const res = await this.#get(`/blobs/${digest}`, {});
    if (res.status !== 200) {
      const detail = await registryErrors(res);
      throw new RegistryError(res.status === 404 ? 'not-found' : 'internal', `error pulling blob ${digest}: ${detail}`);
    }
    const length = Number(res.headers['content-length']);
    return { body: res.body, sizeBytes: Number.isFinite(length) ? length : undefined };
  }

  /** Whether the repository already has the blob (HEAD): a push then skips it. */
  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.#request('HEAD', `${this.#base}/v2/${this.#ref.path}/blobs/${digest}`, {});
    res.body.resume();
    return res.status === 200;
  }

  /** Uploads a blob in one PUT (POST for an upload URL, then PUT ?digest=); the registry checks the digest. */
  async uploadBlob(digest: string, sizeBytes: number, body: () => Buffer | Readable): Promise<void> {
    const started = await this.#request('POST', `${this.#base}/v2/${this.#ref.path}/blobs/uploads/`, { 'Content-Length': '0' });
    if (started.status !== 202 || started.headers.location === undefined) {
      throw new RegistryError('internal', `starting an upload of ${digest}: ${await registryErrors(started)}`);
    }
    started.body.resume();
    const url = new URL(started.headers.location, `${this.#base}/`);
    url.searchParams.set('digest', digest);
    const done = await this.#request('PUT', url.toString(), { 'Content-Type': 'application/octet-stream', 'Content-Length': String(sizeBytes) }, body());
    if (done.status !== 201) throw new RegistryError('internal', `uploading ${digest}: ${await registryErrors(done)}`);
    done.body.resume();
  }

  /** PUTs a manifest under `tag`. */
  async putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<void> {
    const res = await this.#request('PUT', `${this.#base}/v2/${this.#ref.path}/manifests/${tag}`, { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, bytes);
    if (res.status !== 201) throw new RegistryError('internal', `pushing the manifest of ${familiarRepository(this.#ref)}:${tag}: ${await registryErrors(res)}`);
    res.body.resume();
  }

  #get(path: string, headers: Record<string, string>): Promise<HttpResponse> {
    return this.#request('GET', `${this.#base}/v2/${this.#ref.path}${path}`, headers);
  }

  async #request(method: HttpRequest['method'], url: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<HttpResponse> {
    try {
      return await send({ method, url, tls: this.#tls, headers: { ...headers, ...(this.#authorization ? { Authorization: this.#authorization } : {}) }, ...(body !== undefined ? { body } : {}) });
    } catch (err) {
      throw asRegistryError(err);
    }
  }

  async #manifestError(res: HttpResponse, reference: string): Promise<RegistryError> {
    const detail = await registryErrors(res);
    const named = familiarString(reference.startsWith('sha256:') ? { ...this.#ref, digest: reference } : this.#ref);
    if (res.status === 404) return new RegistryError('not-found', `manifest for ${named} not found: ${detail}`);
    if (res.status === 401 || res.status === 403) {
      return new RegistryError(
        'not-found',
        `pull access denied for ${familiarRepository(this.#ref)}, repository does not exist or may require 'docker login': ${detail}`,
      );
    }
    return new RegistryError('internal', `error fetching manifest for ${named}: ${detail}`);
  }
}

/**
 * Finds where the registry answers: HTTPS, verified unless the registry is insecure; for an insecure
 * one plain HTTP when HTTPS gets no TLS answer, as dockerd tries its endpoints.
 */
async function pingRegistry(host: string, options: RegistryOptions): Promise<{ base: string; tls: TlsSettings; ping: HttpResponse }> {
  const insecure = isInsecureRegistry(host, options.insecureRegistries);
  const tls = await tlsSettings(host, options, insecure);
  try {
    return { base: `https://${host}`, tls, ping: await send({ method: 'GET', url: `https://${host}/v2/`, tls }) };
  } catch (err) {
    if (!insecure || !(err instanceof HttpTransportError)) throw asRegistryError(err);
  }
  try {
    return { base: `http://${host}`, tls, ping: await send({ method: 'GET', url: `http://${host}/v2/`, tls }) };
  } catch (err) {
    throw asRegistryError(err);
  }
}

/**
 * `docker login` (POST /auth): the credentials must open /v2/ on the registry, as dockerd's loginV2
 * checks them; the message on refusal is dockerd's.
 */
export async function login(serverAddress: string, auth: RegistryAuth, options: RegistryOptions): Promise<void> {
  const host = serverAddress.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const { base, tls, ping } = await pingRegistry(host === 'index.docker.io' || host === 'docker.io' ? 'registry-1.docker.io' : host, options);
  ping.body.resume();
  if (ping.status === 200) return;
  const refused = (status: number, text: string) => new RegistryError('internal', `login attempt to ${base}/v2/ failed with status: ${status} ${text}`);
  if (ping.status !== 401) throw refused(ping.status, ping.statusText);
  const authorization = await answerChallenge(parseChallenge(ping.headers['www-authenticate']), auth, undefined, tls).catch((err: unknown) => {
    if (err instanceof TokenRefusedError) throw refused(err.status, err.statusText);
    throw err;
  });
  if (authorization === undefined) throw refused(401, 'Unauthorized');
  const res = await send({ method: 'GET', url: `${base}/v2/`, tls, headers: { Authorization: authorization } }).catch((err: unknown) => {
    throw asRegistryError(err);
  });
  res.body.resume();
  if (res.status !== 200) throw refused(res.status, res.statusText);
}

/** The token server refused the credentials. */
class TokenRefusedError extends RegistryError {
  constructor(
    message: string,
    readonly status: number,
    readonly statusText: string,
  ) {
    super('internal', message);
  }
}

/** The Authorization header for the challenge, or undefined for a Basic challenge without credentials. */
async function answerChallenge(challenge: Challenge | undefined, auth: RegistryAuth, scope: string | undefined, tls: TlsSettings): Promise<string | undefined> {
  if (auth.registrytoken !== undefined) return `Bearer ${auth.registrytoken}`;
  if (challenge === undefined || challenge.scheme === 'basic') return basicHeader(auth);
  const realm = challenge.params['realm'];
  if (realm === undefined) throw new RegistryError('internal', 'bearer auth challenge without realm');
  const url = new URL(realm);
  if (challenge.params['service'] !== undefined) url.searchParams.set('service', challenge.params['service']);
  if (scope !== undefined) url.searchParams.set('scope', scope);
  const basic = basicHeader(auth);
  const res = await send({ method: 'GET', url: url.toString(), tls, headers: basic !== undefined ? { Authorization: basic } : {} }).catch((err: unknown) => {
    throw asRegistryError(err);
  });
  if (res.status !== 200) {
    const detail = await registryErrors(res);
    throw new TokenRefusedError(`Get "${url.origin}${url.pathname}": ${detail}`, res.status, res.statusText);
  }
  const doc = JSON.parse((await readAll(res.body)).toString('utf8')) as { token?: string; access_token?: string };
  const token = doc.token ?? doc.access_token;
  if (token === undefined) throw new RegistryError('internal', 'token server answered without a token');
  return `Bearer ${token}`;
}

/** The registry's error list as distribution's errcode formats it: "manifest unknown: manifest unknown". */
async function registryErrors(res: HttpResponse): Promise<string> {
  const body = await readAll(res.body).catch(() => Buffer.alloc(0));
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const errors = (doc.errors ?? []).map((e) => `${(e.code ?? 'unknown').toLowerCase().replaceAll('_', ' ')}: ${e.message ?? ''}`);
    if (errors.length > 0) return errors.join(', ');
  } catch {
    // not a registry error document: fall back to the status line
  }
  return `unexpected status from registry: ${res.status}`;
}

function asRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('internal', err instanceof Error ? err.message : String(err), { cause: err });
}
