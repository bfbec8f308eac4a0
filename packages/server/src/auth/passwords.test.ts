import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from './passwords.js';

const cheap = { N: 1024, r: 8, p: 1 };

test('a hash verifies its password only, carries its parameters and a fresh salt', async () => {
  const a = await hashPassword('correct horse', cheap);
  const b = await hashPassword('correct horse', cheap);
  assert.match(a, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(a, b, 'salted');
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct horsE', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('the default parameters verify, and the same text in another Unicode form is the same password', async () => {
  const stored = await hashPassword('caf\u00e9-latte');
  assert.match(stored, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('cafe\u0301-latte', stored), true);
});

test('malformed or hostile stored hashes never verify', async () => {
  for (const stored of [
    '',
    'plain',
    'bcrypt$10$x$y',
    'scrypt$1024$8$1$c2FsdA',
    'scrypt$99999999$8$1$c2FsdA$a2V5',
    'scrypt$x$8$1$a$b',
  ]) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});

test('verifyNothing answers false', async () => {
  assert.equal(await verifyNothing('whatever'), false);
});

test('password rules', () => {
  const cases: Array<[unknown, boolean]> = [
    ['12345678', true],
    ['1234567', false],
    ['x'.repeat(256), true],
    ['x'.repeat(257), false],
    [12345678, false],
    [undefined, false],
  ];
  for (const [pw, ok] of cases) assert.equal(passwordProblem(pw) === null, ok, String(pw));
});
