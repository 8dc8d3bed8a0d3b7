export { containerRoutes, type ContainerRoutesOptions } from './routes.js';
export { stdcopyFrame, parseStdcopy } from './stdcopy.js';
