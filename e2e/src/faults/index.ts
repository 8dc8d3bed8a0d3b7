// Fault injection on the real multi-process cluster: a seeded runner (SEED=n replays the schedule).
export { runFaults, formatFaultReport, type FaultReport, type FaultRunOptions } from './runner.js';
export { FAULT_KINDS, type FaultKind, type FaultRecord } from './nemesis.js';
export { History, type OpRecord, type KeyState } from './history.js';
export { callEngine, type EngineReply, type Outcome } from './engine.js';
