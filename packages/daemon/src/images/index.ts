export { imageRoutes } from './routes.js';
