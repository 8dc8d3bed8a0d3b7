// Image references as users type them and as the docker CLI sends them ("docker.io/library/busybox"),
// normalised to the short familiar form the store keys on ("busybox:latest").
import { ImageError } from './types.js';

const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DOMAIN_RE = /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)(?::[0-9]+)?$/;

export interface ImageReference {
  /** "busybox", "example.com/team/app": Docker Hub's docker.io/library/ prefix removed. */
  readonly name: string;
  readonly tag: string;
}

/** Parses name[:tag]; a digest (@sha256:…) is refused, the store keeps no digests. */
export function parseReference(ref: string): ImageReference {
  if (ref.includes('@')) throw new ImageError('invalid-argument', `invalid reference format: digests are not supported: ${ref}`);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  let name = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : 'latest';
  name = familiarName(name);
  if (!NAME_RE.test(withoutDomain(name)) || !TAG_RE.test(tag)) {
    throw new ImageError('invalid-argument', `invalid reference format: repository name must be lowercase`);
  }
  return { name, tag };
}

/** "busybox:latest" */
export function formatReference(ref: ImageReference): string {
  return `${ref.name}:${ref.tag}`;
}

function familiarName(name: string): string {
  if (name.startsWith('docker.io/library/')) return name.slice('docker.io/library/'.length);
  if (name.startsWith('docker.io/')) return name.slice('docker.io/'.length);
  return name;
}

function withoutDomain(name: string): string {
  const first = name.split('/')[0] ?? '';
  return name.includes('/') && DOMAIN_RE.test(first) ? name.slice(first.length + 1) : name;
}
