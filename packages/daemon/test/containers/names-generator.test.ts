import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { validContainerName } from '@shoal/agent';
import { ADJECTIVES, SURNAMES, generatedName, randomName, type Pick } from '../../src/containers/names-generator.js';

/** A pick that answers `values` in order. */
function scripted(values: readonly number[]): Pick {
  let at = 0;
  return (n) => {
    const v = values[at++];
    assert.ok(v !== undefined && v < n, `pick ${at} out of script`);
    return v;
  };
}

test("the name lists are Docker's scale (~100 adjectives x ~240 surnames), without repeats, and make valid names", () => {
  assert.ok(ADJECTIVES.length >= 100, `${ADJECTIVES.length} adjectives`);
  assert.ok(SURNAMES.length >= 230, `${SURNAMES.length} surnames`);
  assert.equal(new Set(ADJECTIVES).size, ADJECTIVES.length);
  assert.equal(new Set(SURNAMES).size, SURNAMES.length);
  for (const a of ADJECTIVES) for (const s of SURNAMES) assert.ok(validContainerName(`${a}_${s}9`), `${a}_${s}`);
});

test('a first try is adjective_surname, later ones add a digit; boring_wozniak is never given', () => {
  const boring = ADJECTIVES.indexOf('boring');
  const wozniak = SURNAMES.indexOf('wozniak');
  assert.equal(randomName(0, scripted([boring, wozniak, 0, 0])), `${ADJECTIVES[0]}_${SURNAMES[0]}`);
  assert.equal(randomName(0, scripted([boring, 1])), `boring_${SURNAMES[1]}`);
  assert.equal(randomName(2, scripted([1, 2, 7])), `${ADJECTIVES[1]}_${SURNAMES[2]}7`);
});

test('a generated name that is taken is drawn again, with a digit; after six taken tries the ID prefix is used', () => {
  const id = 'ab'.repeat(32);
  const taken = new Set([`${ADJECTIVES[0]}_${SURNAMES[0]}`, `${ADJECTIVES[0]}_${SURNAMES[0]}3`]);
  assert.equal(generatedName(id, (n) => taken.has(n), scripted([0, 0, 0, 0, 3, 0, 0, 4])), `${ADJECTIVES[0]}_${SURNAMES[0]}4`);
  assert.equal(generatedName(id, () => true, randomInt), 'abababababab');
});
