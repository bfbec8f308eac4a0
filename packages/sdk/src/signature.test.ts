import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signBody, signatureHeaders, verifySignature, type SignatureFailure } from './signature.js';

// A body signed by the server's util/callback-signature.ts (the same vector is in its test).
const SECRET = 'whsec-test-0123456789';
const TIMESTAMP = 1767225600000;
const BODY = '{"approvalId":"a-1","status":"Completed","outcome":"Approve"}';
const SIGNATURE = 'sha256=8d8dd595805b800401e4cc0bcb42f417501285127f4d80476b6b2626462c30b3';
const signed = { 'x-flowbridge-timestamp': String(TIMESTAMP), 'x-flowbridge-signature': SIGNATURE };

test("verifySignature accepts the server's signature, from fetch Headers or node's header object", async () => {
  assert.deepEqual(await verifySignature(SECRET, new Headers(signed), BODY, { now: TIMESTAMP + 1000 }), {
    ok: true,
    timestamp: TIMESTAMP,
  });
  const node = {
    'X-Flowbridge-Timestamp': [String(TIMESTAMP)],
    'x-flowbridge-signature': SIGNATURE.toUpperCase().replace('SHA256', 'sha256'),
  };
  assert.equal(
    (await verifySignature(SECRET, node, new TextEncoder().encode(BODY), { now: () => TIMESTAMP })).ok,
    true,
  );
});

test('signBody and signatureHeaders produce the same scheme', async () => {
  assert.equal(await signBody(SECRET, TIMESTAMP, BODY), SIGNATURE);
  assert.deepEqual(await signatureHeaders(SECRET, BODY, TIMESTAMP), signed);
});

const failures: Array<[string, Record<string, string>, string, number, SignatureFailure]> = [
  ['another body', signed, BODY.replace('Approve', 'Reject'), TIMESTAMP, 'SignatureMismatch'],
  [
    'another timestamp',
    { ...signed, 'x-flowbridge-timestamp': String(TIMESTAMP + 1) },
    BODY,
    TIMESTAMP,
    'SignatureMismatch',
  ],
  ['no signature', { 'x-flowbridge-timestamp': String(TIMESTAMP) }, BODY, TIMESTAMP, 'MissingSignature'],
  ['no timestamp', { 'x-flowbridge-signature': SIGNATURE }, BODY, TIMESTAMP, 'MissingTimestamp'],
  [
    'a bare hex signature',
    { ...signed, 'x-flowbridge-signature': SIGNATURE.slice(7) },
    BODY,
    TIMESTAMP,
    'MalformedSignature',
  ],
  ['a short signature', { ...signed, 'x-flowbridge-signature': 'sha256=abcd' }, BODY, TIMESTAMP, 'MalformedSignature'],
  ['a timestamp in words', { ...signed, 'x-flowbridge-timestamp': 'yesterday' }, BODY, TIMESTAMP, 'MalformedTimestamp'],
  ['an old timestamp (a replay)', signed, BODY, TIMESTAMP + 301_000, 'TimestampOutOfRange'],
  ['a timestamp from the future', signed, BODY, TIMESTAMP - 301_000, 'TimestampOutOfRange'],
];
for (const [what, headers, body, now, code] of failures)
  test(`verifySignature refuses ${what} (${code})`, async () => {
    const check = await verifySignature(SECRET, headers, body, { now });
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.code, code);
  });

test('the tolerance is configurable; the wrong secret never verifies', async () => {
  assert.equal(
    (await verifySignature(SECRET, signed, BODY, { now: TIMESTAMP + 3_600_000, toleranceSeconds: 3600 })).ok,
    true,
  );
  const wrong = await verifySignature('another-secret', signed, BODY, { now: TIMESTAMP });
  assert.equal(!wrong.ok && wrong.code, 'SignatureMismatch');
});
