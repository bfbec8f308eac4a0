import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackSignatureHeaders, signCallbackBody } from './callback-signature.js';

// The same vector is in packages/sdk/src/signature.test.ts: verifySignature accepts exactly this.
const SECRET = 'whsec-test-0123456789';
const TIMESTAMP = 1767225600000;
const BODY = '{"approvalId":"a-1","status":"Completed","outcome":"Approve"}';
const SIGNATURE = 'sha256=8d8dd595805b800401e4cc0bcb42f417501285127f4d80476b6b2626462c30b3';

test('callbacks are signed sha256=HMAC(secret, "<timestamp>.<body>") in hex', () => {
  assert.equal(signCallbackBody(SECRET, TIMESTAMP, BODY), SIGNATURE);
  assert.deepEqual(callbackSignatureHeaders(SECRET, TIMESTAMP, BODY), {
    'x-flowbridge-timestamp': String(TIMESTAMP),
    'x-flowbridge-signature': SIGNATURE,
  });
  assert.notEqual(signCallbackBody(SECRET, TIMESTAMP + 1, BODY), SIGNATURE, 'the timestamp is signed');
});
