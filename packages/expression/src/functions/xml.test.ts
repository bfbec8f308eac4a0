import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { evaluateString } from '../template.js';
import type { Value } from '../values.js';
import { Float } from '../values.js';
import { xmlFunctions } from './xml.js';

const XML = 'application/xml;charset=utf-8';
const env = (text: string) => ({ '$content-type': XML, $content: Buffer.from(text, 'utf8').toString('base64') });
const fn = (name: string) => {
  const def = xmlFunctions.find((f) => f.name === name);
  if (!def || def.lazy) throw new Error(`no eager ${name}`);
  return (...args: Value[]) => def.impl(args, {});
};
const xml = fn('xml');
const xpath = fn('xpath');
const isInvalidArgument = (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument';

describe('xml()', () => {
  const cases: Array<[string, Value, Value]> = [
    ['string is re-serialized', '<doc/>', env('<doc />')],
    ['envelope of the UTF-8 bytes', '<t>ä</t>', { '$content-type': XML, $content: 'PHQ+w6Q8L3Q+' }],
    ['object is converted', { pet: 'cat' }, env('<pet>cat</pet>')],
    ['empty object is the empty document', {}, { '$content-type': XML, $content: '' }],
    [
      'binary is wrapped unchecked',
      { '$content-type': 'application/octet-stream', $content: 'Pg==' },
      { '$content-type': XML, $content: 'Pg==' },
    ],
    [
      'content type of a binary is replaced',
      { '$content-type': 'text/plain;charset=ascii', $content: 'YQ==' },
      { '$content-type': XML, $content: 'YQ==' },
    ],
    ['xml of xml is the same value', env('<doc />'), env('<doc />')],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(xml(input), expected));

  const bad: Array<[string, Value]> = [
    ['malformed text', '<a>'],
    ['text without markup', 'plain'],
    ['number', 5],
    ['null', null],
    ['array', ['<a/>']],
    ['boolean', true],
  ];
  for (const [name, input] of bad) it(`fails: ${name}`, () => assert.throws(() => xml(input), isInvalidArgument));
});

describe('xpath()', () => {
  const shelf = env(
    '<shelf><book id="b1"><title>Dune</title><pages>412</pages></book><book id="b2"><title>Emma</title><pages>474</pages></book></shelf>',
  );
  const cases: Array<[string, Value, string, Value]> = [
    ['element node-set', shelf, '/shelf/book/title', [env('<title>Dune</title>'), env('<title>Emma</title>')]],
    [
      'element with children and attributes',
      shelf,
      '/shelf/book[@id="b2"]',
      [env('<book id="b2"><title>Emma</title><pages>474</pages></book>')],
    ],
    ['text nodes are strings', shelf, '/shelf/book/title/text()', ['Dune', 'Emma']],
    ['attributes are strings', shelf, '//book/@id', ['b1', 'b2']],
    ['empty node-set', shelf, '/shelf/magazine', []],
    ['sum is a float even when integral', shelf, 'sum(//pages)', new Float(886)],
    ['count is a float', shelf, 'count(//book)', new Float(2)],
    ['non-integral number', shelf, 'sum(//pages) div 4', 221.5],
    ['string()', shelf, 'string(/shelf/book[2]/title)', 'Emma'],
    ['boolean', shelf, 'count(//book) > 1', true],
    ['document node is the whole document', env('<a><b/></a>'), '/', [env('<a><b /></a>')]],
    [
      'namespaces through local-name()',
      env('<s:e xmlns:s="urn:s"><s:b>x</s:b></s:e>'),
      "/*[local-name()='e']/*[local-name()='b']/text()",
      ['x'],
    ],
    [
      'inherited namespace is declared on the result',
      env('<s:e xmlns:s="urn:s"><s:b>x</s:b></s:e>'),
      "//*[local-name()='b']",
      [env('<s:b xmlns:s="urn:s">x</s:b>')],
    ],
    [
      'default namespace is declared on the result',
      env('<e xmlns="urn:d"><b/></e>'),
      "//*[local-name()='b']",
      [env('<b xmlns="urn:d" />')],
    ],
    ['entities come back unescaped in text', env('<a>x &amp; y</a>'), '/a/text()', ['x & y']],
    ['entities stay escaped in element XML', env('<a>x &amp; y</a>'), '/a', [env('<a>x &amp; y</a>')]],
    [
      'text/xml envelope accepted',
      { '$content-type': 'text/xml', $content: Buffer.from('<a>1</a>').toString('base64') },
      'string(/a)',
      '1',
    ],
  ];
  for (const [name, doc, expr, expected] of cases) it(name, () => assert.deepEqual(xpath(doc, expr), expected));

  const bad: Array<[string, Value, Value]> = [
    ['plain string instead of XML', '<a/>', '/a'],
    ['binary envelope', { '$content-type': 'application/octet-stream', $content: 'PGEvPg==' }, '/a'],
    ['xml of invalid bytes', { '$content-type': XML, $content: 'PA==' }, '/a'],
    ['invalid expression', env('<a/>'), '//['],
    ['unbound prefix', env('<a/>'), '/p:a'],
    ['expression not a string', env('<a/>'), 1],
  ];
  for (const [name, doc, expr] of bad)
    it(`fails: ${name}`, () => assert.throws(() => xpath(doc, expr), isInvalidArgument));
});

describe('XML end to end through evaluateString', () => {
  const cases: Array<[string, Value]> = [
    ["@{xml('<doc/>')}", '<doc />'],
    ["@{xml('<n a=''1''>&#72;i</n>')}", '<n a="1">Hi</n>'],
    ["@xml('<doc/>')", env('<doc />')],
    ["@json(xml('<n>5</n>'))", { n: '5' }],
    ["@json(xml('<l><i>1</i><i>2</i></l>')).l.i[1]", '2'],
    ["@{json(xml('<r><e/><f></f></r>'))}", '{"r":{"e":null,"f":""}}'],
    ['@{xml(json(\'{"pet":{"@kind":"cat","#text":"Tom"}}\'))}', '<pet kind="cat">Tom</pet>'],
    ['@json(xml(json(\'{"a":{"b":["x","y"]}}\')))', { a: { b: ['x', 'y'] } }],
    ["@xpath(xml('<r><v>2</v><v>3</v></r>'), 'sum(/r/v)')", new Float(5)],
    ['@xpath(xml(json(\'{"r":{"v":[1.5,2]}}\')), \'sum(/r/v)\')', 3.5],
    ["@{xpath(xml('<r><v>a</v></r>'), '/r/v')[0]}", '<v>a</v>'],
    ["@xpath(xml('<r><v>a</v><v>b</v></r>'), '/r/v/text()')", ['a', 'b']],
    ["@{binary(xml('<doc/>'))}", '<doc />'],
    ["@xml(binary('<'))", { '$content-type': XML, $content: 'PA==' }],
  ];
  for (const [expr, expected] of cases) it(expr, () => assert.deepEqual(evaluateString(expr), expected));

  const failures = [
    "@xml('<a><b></a>')",
    "@json(xml(binary('<')))",
    "@json(xml(json('{}')))",
    '@json(xml(json(\'{"a":1,"b":2}\')))',
    "@xpath('<a/>', '/a')",
    '@xml(json(\'{"r":{"#cdata-section":"]]>"}}\'))',
  ];
  for (const expr of failures) it(`fails: ${expr}`, () => assert.throws(() => evaluateString(expr), ExpressionError));
});
