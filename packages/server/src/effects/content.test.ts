import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, encodeBody, toJsonText } from './content.js';

const plain = { a: [1, 'x', { b: null }], c: {}, d: [], e: true };
test('toJsonText matches JSON.stringify for plain JSON, compact and pretty', () => {
  assert.equal(toJsonText(plain), JSON.stringify(plain));
  assert.equal(toJsonText(plain, 2), JSON.stringify(plain, null, 2));
});

test('toJsonText writes int64 bigints exactly and drops undefined properties', () => {
  assert.equal(toJsonText({ n: 9223372036854775807n, u: undefined }), '{"n":9223372036854775807}');
});

const decodes = [
  { type: 'application/json; charset=utf-8', text: '{"a":1}', value: { a: 1 } },
  { type: 'application/problem+json', text: '{"a":1}', value: { a: 1 } },
  { type: 'application/json', text: 'not json', value: 'not json' },
  { type: 'text/plain', text: 'hi', value: 'hi' },
  {
    type: 'text/xml',
    text: '<a/>',
    value: { '$content-type': 'text/xml', $content: Buffer.from('<a/>').toString('base64') },
  },
  {
    type: undefined,
    text: 'raw',
    value: { '$content-type': 'application/octet-stream', $content: Buffer.from('raw').toString('base64') },
  },
  { type: 'text/plain', text: '', value: undefined },
];
for (const c of decodes) {
  test(`decodeBody ${String(c.type)} ${JSON.stringify(c.text)}`, () => {
    assert.deepEqual(decodeBody(Buffer.from(c.text), c.type), c.value);
  });
}

test('encodeBody: form data envelope is URL-encoded', () => {
  const encoded = encodeBody({
    '$content-type': 'application/x-www-form-urlencoded',
    $formdata: [{ key: 'a b', value: 'c&d' }],
  });
  assert.equal(Buffer.from(encoded!.bytes).toString(), 'a+b=c%26d');
  assert.equal(encodeBody(null), undefined);
});
