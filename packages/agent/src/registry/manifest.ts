// Manifests as registries serve them (Docker schema 2, OCI, and the lists/indexes over several
// platforms), decoded and checked. Pure: no I/O.
import { ImageError } from '../images/types.js';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

/** What a pull asks for, best first: every type shoal can pull. */
export const MANIFEST_ACCEPT = [MEDIA.dockerList, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.ociManifest].join(', ');

export type LayerCompression = 'gzip' | 'none';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface ImageManifest {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly (Descriptor & { readonly compression: LayerCompression })[];
}

export interface ManifestIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Decodes a manifest body; `contentType` is the registry's Content-Type, used when the body has no mediaType. */
export function parseManifest(body: Buffer, contentType: string | undefined): ImageManifest | ManifestIndex {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ImageError('invalid-argument', 'invalid manifest: not JSON');
  }
  const mediaType = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : (contentType ?? '').split(';')[0]!.trim();
  if (doc['schemaVersion'] === 1) {
    throw new ImageError('invalid-argument', 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed');
  }
  if (mediaType === MEDIA.dockerList || mediaType === MEDIA.ociIndex || (mediaType === '' && Array.isArray(doc['manifests']))) {
    return { kind: 'index', mediaType: mediaType || MEDIA.ociIndex, manifests: descriptors(doc['manifests']) };
  }
  if (mediaType === MEDIA.dockerManifest || mediaType === MEDIA.ociManifest || mediaType === '') {
    const [config] = descriptors([doc['config']]);
    const layers = descriptors(doc['layers']).map((l) => ({ ...l, compression: compressionOf(l.mediaType) }));
    return { kind: 'image', mediaType: mediaType || MEDIA.ociManifest, config: config!, layers };
  }
  throw new ImageError('invalid-argument', `unsupported manifest media type and no default available: ${mediaType}`);
}

function descriptors(value: unknown): Descriptor[] {
  if (!Array.isArray(value)) throw new ImageError('invalid-argument', 'invalid manifest: missing descriptors');
  return value.map((d: Partial<Descriptor> | null) => {
    if (typeof d?.digest !== 'string' || !DIGEST_RE.test(d.digest) || typeof d.size !== 'number' || typeof d.mediaType !== 'string') {
      throw new ImageError('invalid-argument', `invalid manifest: bad descriptor ${JSON.stringify(d)}`);
    }
    return { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) };
  });
}

function compressionOf(mediaType: string): LayerCompression {
  if (mediaType.endsWith('.tar.gzip') || mediaType.endsWith('tar+gzip')) return 'gzip';
  if (mediaType.endsWith('.tar') || mediaType === 'application/vnd.oci.image.layer.v1.tar') return 'none';
  if (mediaType.endsWith('+zstd')) throw new ImageError('invalid-argument', `zstd-compressed layers are not supported by shoal yet (${mediaType})`);
  throw new ImageError('invalid-argument', `unsupported layer media type ${mediaType}`);
}

/**
 * The entry of an index for `want`, as containerd's platform matcher picks it: same OS and
 * architecture, and the variant when one is asked for (arm64 defaults to v8, arm to v7).
 */
export function choosePlatform(index: ManifestIndex, want: Platform): Descriptor | undefined {
  const variant = want.variant ?? defaultVariant(want.architecture);
  return index.manifests.find(
    (m) =>
      m.platform !== undefined &&
      m.platform.os === want.os &&
      m.platform.architecture === want.architecture &&
      (variant === undefined || (m.platform.variant ?? defaultVariant(m.platform.architecture)) === variant),
  );
}

function defaultVariant(arch: string): string | undefined {
  return arch === 'arm64' ? 'v8' : arch === 'arm' ? 'v7' : undefined;
}

/** "linux/amd64", "linux/arm/v7": the --platform form; OS alone is allowed, as Docker allows it. */
export function parsePlatform(text: string, node: Platform): Platform {
  const [os, architecture, variant, ...rest] = text.toLowerCase().split('/');
  if (!os || rest.length > 0 || architecture === '' || variant === '') {
    throw new ImageError('invalid-argument', `"${text}": unknown operating system or architecture: invalid argument`);
  }
  return { os, architecture: architecture ?? node.architecture, ...(variant !== undefined ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join('/');
}
