import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDepthExceeds } from './json-depth.js';

const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

test('jsonDepthExceeds counts arrays and objects outside strings', async (t) => {
  const cases: Array<[string, string, number, boolean]> = [
    ['flat', '{"a":1,"b":[1,2]}', 2, false],
    ['one too deep', '{"a":{"b":[1]}}', 2, true],
    ['exactly at the limit', deep(128), 128, false],
    ['50,000 brackets', deep(50_000), 1000, true],
    ['unclosed brackets count too', '['.repeat(200), 128, true],
    ['brackets inside strings do not count', JSON.stringify({ a: '[[[[[[[[[[{{{{{{{{' }), 2, false],
    ['an escaped quote does not end the string', JSON.stringify({ a: 'x"[[[[[[' }), 1, false],
    ['an escaped backslash does end it', '["\\\\", [[[]]]]', 3, true],
    ['non-ASCII text', JSON.stringify({ é: ['日本', { ü: '[[[[' }] }), 3, false],
  ];
  for (const [name, json, limit, exceeds] of cases) {
    await t.test(name, () => {
      assert.equal(jsonDepthExceeds(json, limit), exceeds, 'as text');
      assert.equal(jsonDepthExceeds(Buffer.from(json, 'utf8'), limit), exceeds, 'as bytes');
    });
  }
});
