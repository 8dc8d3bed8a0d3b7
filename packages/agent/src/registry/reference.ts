// A reference to an image on a registry, split as Docker's distribution/reference splits it: the
// registry's domain, the repository path on it, and a tag and/or a digest.
import { ImageError } from '../images/types.js';

const DOCKER_HUB = 'docker.io';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export interface RemoteReference {
  /** "198.51.100.1:5000", "docker.io". */
  readonly domain: string;
  /** The repository on that registry: "team/web", "library/busybox". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses "reg:5000/team/web:1.4", "busybox", "x@sha256:…" (also "x:1@sha256:…"). The first component
 * names a registry when it has a "." or ":" or is "localhost"; otherwise the image is on Docker Hub.
 * Without tag or digest the tag is "latest".
 */
export function parseRemoteReference(ref: string): RemoteReference {
  const invalid = () => new ImageError('invalid-argument', 'invalid reference format');
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  if (digest !== undefined && !DIGEST_RE.test(digest)) throw invalid();
  const named = at < 0 ? ref : ref.slice(0, at);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  const name = colon > slash ? named.slice(0, colon) : named;
  if (tag !== undefined && !TAG_RE.test(tag)) throw invalid();
  const first = name.split('/')[0] ?? '';
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const domain = hasDomain ? first : DOCKER_HUB;
  let path = hasDomain ? name.slice(first.length + 1) : name;
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw new ImageError('invalid-argument', 'invalid reference format: repository name must be lowercase');
  }
  return { domain, path, ...(tag !== undefined || digest === undefined ? { tag: tag ?? 'latest' } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** "198.51.100.1:5000/x", "busybox" (Docker Hub's library/ dropped): the name the store and users see. */
export function familiarRepository(ref: RemoteReference): string {
  if (ref.domain !== DOCKER_HUB) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}

/** "198.51.100.1:5000/x:1", "x@sha256:…": how dockerd names what it pulled in its messages. */
export function familiarString(ref: RemoteReference): string {
  return `${familiarRepository(ref)}${ref.digest !== undefined ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
}

/** Where the registry's HTTP API answers: Docker Hub's registry for docker.io, else the domain itself. */
export function registryHost(ref: RemoteReference): string {
  return ref.domain === DOCKER_HUB ? 'registry-1.docker.io' : ref.domain;
}
