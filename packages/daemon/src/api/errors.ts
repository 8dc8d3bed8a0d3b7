// Errors of the Engine API edge. Every error has a class and a stable `code`; one table maps codes to
// HTTP statuses. The codes are the vocabulary the manager's control errors and store refusals already
// use, so an error thrown anywhere below the API (or forwarded from the leader over gRPC) maps here by
// its code without the API knowing its class.

export const apiErrorStatus = {
  'invalid-argument': 400,
  'failed-precondition': 400,
  'permission-denied': 403,
  'not-found': 404,
  'request-timeout': 408,
  conflict: 409,
  'name-conflict': 409,
  'id-conflict': 409,
  'sequence-conflict': 409,
  'payload-too-large': 413,
  internal: 500,
  'not-implemented': 501,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof apiErrorStatus;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
  }
  get status(): number {
    return apiErrorStatus[this.code];
  }
}

export class InvalidArgumentError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-argument', message, options);
    this.name = 'InvalidArgumentError';
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permission-denied', message, options);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not-found', message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super('payload-too-large', message);
    this.name = 'PayloadTooLargeError';
  }
}

export class RequestTimeoutError extends ApiError {
  constructor(message: string) {
    super('request-timeout', message);
    this.name = 'RequestTimeoutError';
  }
}

export class NotImplementedError extends ApiError {
  constructor(message: string) {
    super('not-implemented', message);
    this.name = 'NotImplementedError';
  }
}

export class UnavailableError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
    this.name = 'UnavailableError';
  }
}

export class InternalError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options);
    this.name = 'InternalError';
  }
}

/** dockerd's answer to any swarm request on a node that is not part of a swarm. */
export const notSwarmManagerMessage =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export function notSwarmManager(): UnavailableError {
  return new UnavailableError(notSwarmManagerMessage);
}

/** Rebuilds an API error from a code and message carried across a process boundary (e.g. gRPC). */
export function apiErrorFromCode(code: string, message: string): ApiError {
  return isApiErrorCode(code) ? new ApiError(code, message) : new InternalError(message);
}

export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && Object.hasOwn(apiErrorStatus, code);
}

export interface ErrorResponse {
  readonly status: number;
  readonly message: string;
  /** True for errors that are not part of the API's contract (bugs, I/O failures): worth a log line. */
  readonly unexpected: boolean;
}

/** The single place where anything thrown below the API becomes an HTTP status and Docker message. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof Error && isApiErrorCode((err as { code?: unknown }).code)) {
    const code = (err as Error & { code: ApiErrorCode }).code;
    const status = apiErrorStatus[code];
    return { status, message: err.message, unexpected: status >= 500 && code === 'internal' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, message: message === '' ? 'internal error' : message, unexpected: true };
}
