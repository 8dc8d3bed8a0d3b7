// Hostile-input testing of the Engine API: a seeded fuzzer (SEED=n replays) with its oracle and checks.
export { Prng, seedFromEnv } from './prng.js';
export { runFuzz, rssKb, storedObjectProblems, getJson, type FuzzOptions, type FuzzReport, type Finding, type FuzzDaemon } from './runner.js';
export { encodeRequest, sendRaw, openSocket, type RawOutcome, type RawReply } from './raw-http.js';
export { formatReport } from './report.js';
export { fuzzSetup, type FuzzSetup } from './setup.js';
