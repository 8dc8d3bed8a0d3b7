import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaveRefusal } from '../../src/swarm/requests.js';

const HEAD = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
const TAIL = 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';

test('the last manager is told that leaving erases the swarm', () => {
  assert.equal(
    leaveRefusal({ members: 1, reachable: 1 }),
    HEAD + 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ',
  );
});

test('a manager whose leaving breaks quorum is told how many managers would remain (dockerd\'s wording)', () => {
  assert.equal(
    leaveRefusal({ members: 2, reachable: 2 }),
    HEAD + 'Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. ' + TAIL,
  );
  assert.equal(
    leaveRefusal({ members: 3, reachable: 2 }),
    HEAD + 'Removing this node leaves 1 managers out of 3. Without a Raft quorum your swarm will be inaccessible. ' + TAIL,
  );
  assert.equal(
    leaveRefusal({ members: 4, reachable: 3 }),
    HEAD + 'Removing this node leaves 2 managers out of 4. Without a Raft quorum your swarm will be inaccessible. ' + TAIL,
  );
  assert.equal(
    leaveRefusal({ members: 5, reachable: 3 }),
    HEAD + 'Removing this node leaves 2 managers out of 5. Without a Raft quorum your swarm will be inaccessible. ' + TAIL,
  );
});

test('a manager whose leaving keeps quorum still needs --force, without the quorum warning', () => {
  assert.equal(leaveRefusal({ members: 3, reachable: 3 }), HEAD + TAIL);
  assert.equal(leaveRefusal({ members: 4, reachable: 4 }), HEAD + TAIL);
  assert.equal(leaveRefusal({ members: 5, reachable: 4 }), HEAD + TAIL);
});

test('when the managers cannot be counted the refusal says nothing about quorum', () => {
  assert.equal(leaveRefusal(null), HEAD + TAIL);
});
