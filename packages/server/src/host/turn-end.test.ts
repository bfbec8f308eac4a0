// Answers ready in one turn are handed over together, after the turn's I/O (turn-end.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { atTurnEnd } from './turn-end.js';

describe('atTurnEnd', () => {
  it('resolves after the turn, in order, all together', async () => {
    const seen: string[] = [];
    const answers = ['a', 'b', 'c'].map((v) => atTurnEnd(v).then((x) => void seen.push(x)));
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(seen, [], 'not within the turn');
    let immediate = false;
    setImmediate(() => (immediate = true));
    await Promise.all(answers);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(immediate, false, 'before a setImmediate queued later in the turn');
    assert.equal(await atTurnEnd(7), 7, 'and again in a later turn');
  });
});
