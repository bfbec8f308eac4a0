import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRecord } from './json.js';

it('isRecord: JSON objects only', () => {
  const cases: Array<[unknown, boolean]> = [
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    [undefined, false],
    ['{}', false],
    [1, false],
  ];
  for (const [value, expected] of cases) assert.equal(isRecord(value), expected, JSON.stringify(value));
});
