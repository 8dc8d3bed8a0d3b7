export { createEngineApi, type EngineApi, type EngineApiOptions } from './engine-api.js';
export {
  ApiError,
  InvalidArgumentError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  RequestTimeoutError,
  NotImplementedError,
  UnavailableError,
  InternalError,
  apiErrorStatus,
  apiErrorFromCode,
  isApiErrorCode,
  notSwarmManager,
  notSwarmManagerMessage,
  toErrorResponse,
  type ApiErrorCode,
} from './errors.js';
export { Filters } from './filters.js';
export { objectBody } from './body.js';
export { Query } from './query.js';
export { json, empty, text, stream, type ApiResult, type StreamSink } from './respond.js';
export { route, type Route, type RouteTable, type RequestContext, type HttpMethod } from './routes.js';
export { SocketInUseError, type ApiServer, type ListenOptions } from './server.js';
export {
  inactiveSwarm,
  inactiveSwarmInfo,
  type HostFacts,
  type SwarmInfo,
  type SwarmInfoProvider,
  type SystemInfoProvider,
  type EngineCounts,
  type LocalNodeState,
} from './system-info.js';
export { gatherHostFacts, type HostFactsInput } from './host-facts.js';
export { apiVersionMax, apiVersionMin, compareApiVersions } from './version.js';
