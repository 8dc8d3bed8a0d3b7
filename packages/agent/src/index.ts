export { AgentSession, type ManagerAddress, type SessionOptions } from './session/session.js';
