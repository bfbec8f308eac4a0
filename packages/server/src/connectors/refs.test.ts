import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CIRCULAR, RefError, RefResolver } from './refs.js';

const doc = {
  definitions: {
    Item: { type: 'object', properties: { id: { type: 'string' } } },
    'a/b': { type: 'integer' },
    'My Type': { type: 'boolean' },
    Alias: { $ref: '#/definitions/Item' },
    Node: {
      type: 'object',
      properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/Node' } } },
    },
    A: { type: 'object', properties: { b: { $ref: '#/definitions/B' } } },
    B: { type: 'object', properties: { a: { $ref: '#/definitions/A' } } },
    Loop1: { $ref: '#/definitions/Loop2' },
    Loop2: { $ref: '#/definitions/Loop1' },
  },
  parameters: { top: { name: 'top', in: 'query', type: 'integer' } },
  responses: { NotFound: { description: 'missing', schema: { $ref: '#/definitions/Item' } } },
};

const cases: { name: string; value: unknown; expected: unknown }[] = [
  { name: 'no reference', value: { type: 'string' }, expected: { type: 'string' } },
  { name: 'a definition', value: { $ref: '#/definitions/Item' }, expected: doc.definitions.Item },
  { name: 'a parameter', value: { $ref: '#/parameters/top' }, expected: doc.parameters.top },
  {
    name: 'a response whose schema is a reference',
    value: { $ref: '#/responses/NotFound' },
    expected: { description: 'missing', schema: doc.definitions.Item },
  },
  { name: 'a chain of references', value: { $ref: '#/definitions/Alias' }, expected: doc.definitions.Item },
  { name: 'an escaped pointer', value: { $ref: '#/definitions/a~1b' }, expected: { type: 'integer' } },
  { name: 'a percent-encoded pointer', value: { $ref: '#/definitions/My%20Type' }, expected: { type: 'boolean' } },
  {
    name: 'keys beside the reference, which win',
    value: { $ref: '#/definitions/Item', 'x-ms-summary': 'The item', type: 'object' },
    expected: { ...doc.definitions.Item, 'x-ms-summary': 'The item' },
  },
  {
    name: 'references inside arrays and nested objects',
    value: { allOf: [{ $ref: '#/definitions/a~1b' }], properties: { x: { $ref: '#/definitions/My%20Type' } } },
    expected: { allOf: [{ type: 'integer' }], properties: { x: { type: 'boolean' } } },
  },
  {
    name: 'a self-referencing tree, cut after one level',
    value: { $ref: '#/definitions/Node' },
    expected: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        children: { type: 'array', items: { $ref: '#/definitions/Node', [CIRCULAR]: true } },
      },
    },
  },
  {
    name: 'a cycle through two definitions',
    value: { $ref: '#/definitions/A' },
    expected: {
      type: 'object',
      properties: { b: { type: 'object', properties: { a: { $ref: '#/definitions/A', [CIRCULAR]: true } } } },
    },
  },
  {
    name: 'a cycle of bare references',
    value: { $ref: '#/definitions/Loop1' },
    expected: { $ref: '#/definitions/Loop1', [CIRCULAR]: true },
  },
];

const refused: { name: string; value: unknown; code: string; pointer: string }[] = [
  {
    name: 'a missing definition',
    value: { properties: { x: { $ref: '#/definitions/Nope' } } },
    code: 'UnresolvedReference',
    pointer: '/paths/~1x/get/properties/x/$ref',
  },
  {
    name: 'a reference to another file',
    value: { $ref: 'common.json#/definitions/Item' },
    code: 'UnsupportedReference',
    pointer: '/paths/~1x/get/$ref',
  },
  {
    name: 'a pointer that is not one',
    value: { $ref: '#definitions' },
    code: 'UnresolvedReference',
    pointer: '/paths/~1x/get/$ref',
  },
];

describe('RefResolver', () => {
  for (const c of cases)
    it(`resolves ${c.name}`, () => {
      assert.deepEqual(new RefResolver(doc).resolve(c.value, ['paths', '/x', 'get']), c.expected);
    });

  for (const c of refused)
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => new RefResolver(doc).resolve(c.value, ['paths', '/x', 'get']),
        (e: unknown) => e instanceof RefError && e.error.code === c.code && e.error.pointer === c.pointer,
      );
    });

  it('does not change the document', () => {
    const copy = structuredClone(doc);
    const resolver = new RefResolver(copy);
    resolver.resolve({ $ref: '#/definitions/Node' }, []);
    resolver.resolve({ $ref: '#/definitions/A' }, []);
    assert.deepEqual(copy, doc);
  });
});
