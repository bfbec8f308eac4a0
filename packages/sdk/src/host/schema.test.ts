import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkValue, fromText } from './schema.js';
import type { JsonSchema, ParameterSchema } from './types.js';

const record: JsonSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['a', 'b'] },
    tags: { type: 'array', items: { type: 'string' } },
    'a/b': { type: 'boolean' },
  },
};

const values: Array<[unknown, string | undefined]> = [
  [{ id: 1 }, undefined],
  [{ id: 1, kind: 'a', tags: ['x'], 'a/b': true }, undefined],
  [{ id: 1.5 }, '/id'],
  [{}, '/id'],
  [{ id: 1, kind: 'c' }, '/kind'],
  [{ id: 1, tags: ['x', 2] }, '/tags/1'],
  [{ id: 1, 'a/b': 'yes' }, '/a~1b'],
  [{ id: 1, other: true }, '/other'],
  [[{ id: 1 }], ''],
  [null, ''],
];
for (const [value, pointer] of values)
  test(`checkValue ${JSON.stringify(value)} → ${pointer ?? 'fits'}`, () => {
    assert.equal(checkValue(value, record)?.pointer, pointer);
  });

const texts: Array<[string, ParameterSchema, unknown]> = [
  ['42', { type: 'integer' }, 42],
  ['4.5', { type: 'number' }, 4.5],
  ['4.5', { type: 'integer' }, undefined],
  ['', { type: 'number' }, undefined],
  ['true', { type: 'boolean' }, true],
  ['yes', { type: 'boolean' }, undefined],
  ['customer', { enum: ['customer', 'order'] }, 'customer'],
  ['invoice', { enum: ['customer', 'order'] }, undefined],
  ['2', { type: 'integer', enum: [1, 2] }, 2],
  ['007', {}, '007'],
];
for (const [text, schema, expected] of texts)
  test(`fromText '${text}' as ${JSON.stringify(schema)} → ${JSON.stringify(expected) ?? 'refused'}`, () => {
    const converted = fromText(text, schema);
    assert.deepEqual(converted.ok ? converted.value : undefined, expected);
  });
