// Allocation failures. Each has a stable code the control layer maps to an API status, and a message
// that names the network concerned, because users read it in `service ps` and `network inspect`.

export type AllocatorErrorCode =
  /** A requested subnet, range, gateway, address or VNI is malformed or outside what contains it. */
  | 'invalid-config'
  /** A requested subnet overlaps another network's, or a requested VNI or address is taken. */
  | 'in-use'
  /** Nothing left to hand out: the default pools have no free subnet, or a network no free address. */
  | 'exhausted';

export class AllocatorError extends Error {
  readonly code: AllocatorErrorCode;
  constructor(code: AllocatorErrorCode, message: string) {
    super(message);
    this.name = 'AllocatorError';
    this.code = code;
  }
}

/** A broken invariant of the allocator itself: a bug, never a user error. */
export function assertAllocator(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`allocator invariant: ${message}`);
}
