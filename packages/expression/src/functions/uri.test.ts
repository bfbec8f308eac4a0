import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { evaluateString } from '../template.js';
import type { Value } from '../values.js';
import { uriFunctions } from './uri.js';

const call = (name: string, arg: Value): Value => {
  const def = uriFunctions.find((f) => f.name === name);
  if (!def || def.lazy) throw new Error(`no eager ${name}`);
  return def.impl([arg], {});
};

const cases: Array<[string, string, Value]> = [
  ['uriHost', 'https://shop.example.org:8443/cart', 'shop.example.org'],
  ['uriHost', 'HTTP://Shop.Example.ORG/', 'shop.example.org'],
  ['uriHost', 'http://[::1]:81/', '[::1]'],
  ['uriHost', 'http://10.0.0.7/x', '10.0.0.7'],
  ['uriPath', 'https://example.org/docs/a%20b/index.html?x=1#top', '/docs/a%20b/index.html'],
  ['uriPath', 'https://example.org', '/'],
  ['uriPath', 'https://example.org/a/../b/./c', '/b/c'],
  ['uriPath', 'https://example.org/with space', '/with%20space'],
  ['uriPathAndQuery', 'https://example.org/list/new.htm?sort=asc&n=2#frag', '/list/new.htm?sort=asc&n=2'],
  ['uriPathAndQuery', 'https://example.org?q=1', '/?q=1'],
  ['uriPathAndQuery', 'https://example.org', '/'],
  ['uriPort', 'https://example.org:8443/', 8443],
  ['uriPort', 'https://example.org/', 443],
  ['uriPort', 'http://example.org/', 80],
  ['uriPort', 'http://example.org:443/', 443],
  ['uriPort', 'ftp://files.example.org/', 21],
  ['uriPort', 'custom://example.org/', -1],
  ['uriQuery', 'https://example.org/p?a=1&b=two', '?a=1&b=two'],
  ['uriQuery', 'https://example.org/p', ''],
  ['uriQuery', 'https://example.org/p?a=1#frag', '?a=1'],
  ['uriScheme', 'https://example.org', 'https'],
  ['uriScheme', 'HTTP://example.org', 'http'],
  ['uriScheme', 'mailto:someone@example.org', 'mailto'],
];

describe('URI functions', () => {
  for (const [name, input, expected] of cases) {
    it(`${name}('${input}')`, () => assert.deepEqual(call(name, input), expected));
  }
  const bad: Array<[string, Value]> = [
    ['uriHost', 'example.org/path'],
    ['uriPath', '/relative/only'],
    ['uriPort', 'http://exa mple.org/'],
    ['uriScheme', ''],
    ['uriQuery', null],
    ['uriPathAndQuery', 42],
  ];
  for (const [name, input] of bad) {
    it(`${name}(${JSON.stringify(input)}) fails`, () =>
      assert.throws(
        () => call(name, input),
        (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument',
      ));
  }
  it('end to end', () => {
    assert.equal(evaluateString("@uriPort('https://www.localhost.com:8080')"), 8080);
    assert.equal(evaluateString("@{uriHost('https://www.localhost.com:8080')}"), 'www.localhost.com');
    assert.equal(evaluateString("@URIQUERY('http://x.org/a?b=c')"), '?b=c');
  });
});
