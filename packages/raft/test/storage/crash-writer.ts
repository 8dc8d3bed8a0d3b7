// Child process for the crash test: appends one synced entry per batch forever and reports each index
// on stdout only after its batch has been fsync'd, until the parent kills it with SIGKILL.
import { LevelLogStore } from '../../src/storage/index.js';
import { payload } from './helpers.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: crash-writer <dir>');
const store = await LevelLogStore.open(dir);
for (let index = 1; ; index++) {
  const entry = { index, term: 1, type: 'normal' as const, data: payload(index, 200) };
  await store.save({ hardState: { term: 1, vote: 'a', commit: index - 1 }, entries: [entry] }, { sync: true });
  process.stdout.write(`${index}\n`);
}
