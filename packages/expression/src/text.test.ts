import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from './decimal.js';
import { parseJson } from './json.js';
import { toJson, toJsonShared } from './text.js';
import { Float, type Value } from './values.js';

test('toJsonShared gives plain JSON values back as they are, sharing every object', () => {
  const inner = { n: 1, list: [1, 'a', null, true, { deep: 1.5 }] };
  const v: Value = { inner, text: 'x', empty: {}, none: [] };
  assert.equal(toJsonShared(v), v);
  assert.equal(toJsonShared(inner.list), inner.list);
  for (const s of [null, true, 'text', 3, 2.5]) assert.equal(toJsonShared(s), s);
});

test('toJsonShared copies only the paths to what needs converting, and gives the JSON toJson gives', () => {
  const kept = { a: [1, 2] };
  const v: Value = {
    kept,
    big: 9007199254740993n,
    f: new Float(30),
    d: new Decimal(125n, 1),
    list: [kept, new Float(2)],
  };
  const out = toJsonShared(v) as Record<string, unknown>;
  assert.deepEqual(out, toJson(v));
  assert.deepEqual(JSON.stringify(out), JSON.stringify(toJson(v)));
  assert.equal(out.kept, kept);
  assert.equal((out.list as unknown[])[0], kept);
  assert.notEqual(out, v);
});

test('toJsonShared drops undefined members and keeps key order and __proto__ keys as toJson does', () => {
  const v = JSON.parse('{"z":1,"__proto__":{"x":[1]},"a":2}') as Record<string, Value>;
  assert.equal(toJsonShared(v), v);
  const withUndefined = { z: 1, gone: undefined, __proto__: 0, a: new Float(2) } as unknown as Value;
  const fromJson = parseJson('{"z":1,"__proto__":{"x":2.0},"a":3}');
  for (const x of [withUndefined, fromJson]) {
    const out = toJsonShared(x);
    assert.equal(JSON.stringify(out), JSON.stringify(toJson(x)));
    assert.deepEqual(Object.keys(out as object), Object.keys(toJson(x) as object));
  }
});
