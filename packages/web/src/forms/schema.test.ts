import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyOf, fieldsOf } from './schema.js';

const schema = {
  type: 'object',
  required: ['text', 'number'],
  properties: {
    text: { type: 'string', title: 'Customer', description: 'Who' },
    email: { type: 'string', format: 'email' },
    number: { type: 'number', title: 'Amount' },
    count: { type: 'integer' },
    urgent: { type: 'boolean', title: 'Urgent' },
    size: { type: 'string', enum: ['S', 'M'] },
    extra: { type: 'object' },
  },
};

test('fields from a trigger schema', () => {
  assert.deepEqual(
    fieldsOf(schema).map((f) => [f.name, f.label, f.kind, f.required]),
    [
      ['text', 'Customer', 'text', true],
      ['email', 'email', 'email', false],
      ['number', 'Amount', 'number', true],
      ['count', 'count', 'integer', false],
      ['urgent', 'Urgent', 'boolean', false],
      ['size', 'size', 'choice', false],
      ['extra', 'extra', 'json', false],
    ],
  );
  assert.deepEqual(fieldsOf(undefined), []);
});

test('typed values become the body; wrong ones are reported by field', () => {
  const fields = fieldsOf(schema);
  assert.deepEqual(bodyOf(fields, { text: 'Ann', number: '12.5', count: '3', urgent: true, extra: '{"a":1}' }), {
    body: { text: 'Ann', number: 12.5, count: 3, urgent: true, extra: { a: 1 } },
  });
  const bad = bodyOf(fields, { text: ' ', number: 'x', count: '1.5', extra: '{' });
  assert.ok('errors' in bad);
  assert.deepEqual(Object.keys(bad.errors).sort(), ['count', 'extra', 'number', 'text']);
});
