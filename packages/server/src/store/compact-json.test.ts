// Rule 3 of compact-json.ts: how a JSON text is stored compressed, and that values written in an
// earlier format still read.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPRESS_FROM, packJson, unpackJson } from './compact-json.js';

/** Two packed action records, as the HTTP flow's runs hold them. */
const RECORDS = JSON.stringify([
  ['Compose_input', '', 'Succeeded', '#0mxca9462', '#', { type: 'Compose', code: 'OK', inputs: 1, $c: 'npsxobet' }],
  [
    'Response',
    '',
    'Succeeded',
    '#0mxca9462',
    '#',
    {
      type: 'Response',
      code: 'OK',
      inputs: { statusCode: 200, body: { n: 2, name: 'bench' } },
      outputs: { statusCode: 200, headers: {}, body: { n: 2, name: 'bench' } },
      $c: 'npsxbet',
    },
  ],
]);

/** RECORDS as the code before session 11 stored them: format 1, deflate-raw with the preset dictionary. */
const RECORDS_DEFLATE_V1 =
  'AYuOhqWXeLCgkg7I/cj6lA1yK5ITLU3MjEAcJZ1qWEQh0hk2ow11lFSSlayU8gqKK/KTUkuUamN1opGTG7HWIGnB7gWMmIdFdp6SlRE8VpJS85IzlGprdUhPNDjMgXsP4rtYAA==';

test('a JSON text is stored as a Zstandard frame (format 2) that reads back as the text', () => {
  const stored = packJson(RECORDS, true);
  assert.ok(Buffer.isBuffer(stored));
  assert.equal(stored[0], 2);
  assert.deepEqual([...stored.subarray(1, 5)], [0x28, 0xb5, 0x2f, 0xfd], 'a standard Zstandard frame follows');
  assert.ok(stored.length < RECORDS.length / 2, `${stored.length} bytes for ${RECORDS.length}`);
  assert.equal(unpackJson(stored), RECORDS);
  // As SQLite hands a BLOB back: a Uint8Array view into a larger buffer.
  const inside = new Uint8Array(stored.length + 7);
  inside.set(stored, 3);
  assert.equal(unpackJson(inside.subarray(3, 3 + stored.length)), RECORDS);
});

test('a value stored by the earlier deflate format (1) still reads', () => {
  assert.equal(unpackJson(Buffer.from(RECORDS_DEFLATE_V1, 'base64')), RECORDS);
});

test('what would not shrink by a fifth, or is short, or is for PostgreSQL, stays text', () => {
  assert.equal(packJson('{"a":1}', true), '{"a":1}');
  const random = JSON.stringify({ key: randomBytes(COMPRESS_FROM).toString('base64') });
  assert.equal(packJson(random, true), random);
  assert.equal(packJson(RECORDS, false), RECORDS);
  assert.equal(unpackJson(RECORDS), RECORDS);
});

test('an unknown format byte fails as such', () => {
  assert.throws(() => unpackJson(Buffer.from([9, 1, 2, 3])), /unknown stored JSON format 9/);
});

test('non-ASCII text round-trips', () => {
  const text = JSON.stringify({ note: 'Grüße, 東京 🚀 '.repeat(40) });
  const stored = packJson(text, true);
  assert.ok(Buffer.isBuffer(stored));
  assert.equal(unpackJson(stored), text);
});
