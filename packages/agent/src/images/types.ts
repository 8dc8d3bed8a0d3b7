// What the node's image store holds: images as Docker describes them, each with a flattened root
// filesystem that containers mount read-only under their own writable layer.

/** The subset of Docker's image config ("config" of an image config JSON) that running a container reads. */
export interface ImageRunConfig {
  readonly Env?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Entrypoint?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly [key: string]: unknown;
}

/** An image config document (application/vnd.docker.container.image.v1+json); its sha256 is the image ID. */
export interface ImageConfigDocument {
  readonly architecture?: string;
  readonly os?: string;
  readonly created?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly docker_version?: string;
  readonly config?: ImageRunConfig;
  readonly rootfs?: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly unknown[];
  readonly [key: string]: unknown;
}

export interface ImageRecord {
  /** "sha256:<64 hex>" */
  readonly id: string;
  /** "busybox:latest", … (may be empty: a dangling image). */
  readonly repoTags: readonly string[];
  /** "198.51.100.1:5000/x@sha256:…": one per repository the image was pulled from. */
  readonly repoDigests: readonly string[];
  readonly config: ImageConfigDocument;
  /** Bytes of the unpacked root filesystem. */
  readonly sizeBytes: number;
  /** The unpacked root filesystem: read-only lower layer of every container of this image. */
  readonly rootfsDir: string;
  readonly lastTagTime: string;
}

export class ImageError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid-argument' | 'internal',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageError';
  }
}
