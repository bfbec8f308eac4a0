import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ENVELOPE_PREFIX, isSealed, open, seal } from './envelope.js';
import { secretBox } from './index.js';

const key = randomBytes(32);
const other = randomBytes(32);

describe('seal and open', () => {
  const values: unknown[] = [
    'api-key-123',
    { accessToken: 'a', refreshToken: 'r', expiresAt: 1 },
    [1, 'two', null],
    0,
    false,
    null,
    'ünïcødé ✓',
  ];
  for (const value of values)
    it(`round-trips ${JSON.stringify(value)}`, () => {
      const sealed = seal(key, value, 'conn-1');
      assert.ok(sealed.startsWith(ENVELOPE_PREFIX));
      assert.ok(isSealed(sealed));
      if (typeof value === 'string') assert.ok(!sealed.includes(value), 'the value shows through');
      assert.deepEqual(open(key, sealed, 'conn-1'), { ok: true, value });
    });

  it('seals the same value differently each time (random IV)', () => {
    assert.notEqual(seal(key, 'x'), seal(key, 'x'));
  });

  it('refuses values JSON cannot carry', () => {
    assert.throws(() => seal(key, undefined), TypeError);
    assert.throws(() => seal(randomBytes(16), 'x'), RangeError);
  });

  const sealed = seal(key, { apiKey: 'secret-value' }, 'conn-1');
  const bytes = Buffer.from(sealed.slice(ENVELOPE_PREFIX.length), 'base64url');
  const flip = (index: number) => {
    const copy = Buffer.from(bytes);
    copy[index] = copy[index]! ^ 1;
    return ENVELOPE_PREFIX + copy.toString('base64url');
  };
  const refused: { name: string; text: string; key?: Buffer; context?: string; code: string }[] = [
    { name: 'a flipped bit in the ciphertext', text: flip(bytes.length - 1), code: 'SecretTampered' },
    { name: 'a flipped bit in the tag', text: flip(4 + 12), code: 'SecretTampered' },
    { name: 'a flipped bit in the IV', text: flip(4), code: 'SecretTampered' },
    { name: 'a changed key id', text: flip(0), code: 'SecretKeyMismatch' },
    { name: 'another key', text: sealed, key: other, code: 'SecretKeyMismatch' },
    { name: 'another context (copied into another row)', text: sealed, context: 'conn-2', code: 'SecretTampered' },
    { name: 'a truncated value', text: sealed.slice(0, 20), code: 'MalformedSecret' },
    {
      name: 'a cut-off ciphertext',
      text: ENVELOPE_PREFIX + bytes.subarray(0, bytes.length - 3).toString('base64url'),
      code: 'SecretTampered',
    },
    { name: 'text that is not base64url', text: `${ENVELOPE_PREFIX}abc$def`, code: 'MalformedSecret' },
    { name: 'plain text', text: 'secret-value', code: 'MalformedSecret' },
    { name: 'a format from the future', text: `fb2:${bytes.toString('base64url')}`, code: 'UnsupportedSecretVersion' },
  ];
  for (const c of refused)
    it(`refuses ${c.name}`, () => {
      const result = open(c.key ?? key, c.text, c.context ?? 'conn-1');
      assert.equal(result.ok ? 'ok' : result.error.code, c.code);
    });

  it('a box seals and opens with its key', () => {
    const box = secretBox(key, 'file');
    const text = box.seal({ password: 'p' });
    assert.deepEqual(box.open(text), { ok: true, value: { password: 'p' } });
    assert.equal(secretBox(other, 'file').open(text).ok, false);
  });
});
