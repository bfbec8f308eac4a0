import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locatePointer, pointerSegments } from './pointer.js';

const text = JSON.stringify(
  {
    definition: {
      actions: { 'Get/it': { type: 'Http', inputs: { uri: 42 } }, List: { type: 'Compose', inputs: [1, 'x'] } },
    },
  },
  null,
  2,
);
const at = (pointer: string): string | null => {
  const span = locatePointer(text, pointer);
  return span ? text.slice(span.from, span.to) : null;
};

test('a pointer finds its value; objects by their key; too-deep pointers stop at what exists', () => {
  const cases: Array<[string, string | null]> = [
    ['/definition/actions/Get~1it/type', '"Http"'],
    ['/definition/actions/Get~1it/inputs/uri', '42'],
    ['/definition/actions/Get~1it', '"Get/it"'],
    ['/definition/actions/List/inputs/1', '"x"'],
    ['/definition/actions/List/inputs', '"inputs"'],
    ['/definition/actions/list/TYPE', '"Compose"'],
    ['/definition/actions/Nope/type', '"actions"'],
    ['/definition/actions/List/inputs/7', '"inputs"'],
    ['', '{'],
  ];
  for (const [pointer, expected] of cases) assert.equal(at(pointer), expected, pointer);
});

test('text that is not JSON locates nothing', () => {
  for (const bad of ['{', '{"a": }', '[1,]', '{"a": 1} x', '']) assert.equal(locatePointer(bad, '/a'), null, bad);
  assert.deepEqual(locatePointer('{"a\\"b": [true, null, -1.5e3]}', '/a"b/2'), { from: 22, to: 28 });
});

test('pointer segments decode ~1 and ~0', () => {
  assert.deepEqual(pointerSegments('/a~1b/c~0d/'), ['a/b', 'c~d', '']);
  assert.deepEqual(pointerSegments(''), []);
});
