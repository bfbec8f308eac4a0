import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import type { Value, ValueObject } from '../values.js';
import { Float } from '../values.js';
import { jsonToXmlText, xmlToJsonValue } from './convert.js';

const cases: Array<[string, ValueObject, string]> = [
  ['string leaf', { note: 'hello' }, '<note>hello</note>'],
  ['null leaf is an empty element', { note: null }, '<note />'],
  ['empty string leaf', { note: '' }, '<note></note>'],
  ['empty object', { note: {} }, '<note />'],
  ['empty document', {}, ''],
  [
    'integers, bigints and booleans',
    { r: { i: 42, b: 9007199254740993n, t: true, f: false } },
    '<r><i>42</i><b>9007199254740993</b><t>true</t><f>false</f></r>',
  ],
  [
    'floats in round-trip form',
    { r: { a: new Float(3), b: 2.5, c: 1e21, d: 0.00001 } },
    '<r><a>3</a><b>2.5</b><c>1E+21</c><d>1E-05</d></r>',
  ],
  ['arrays repeat the element', { r: { n: [1, 2, 3] } }, '<r><n>1</n><n>2</n><n>3</n></r>'],
  ['array of objects', { r: { p: [{ q: 1 }, { q: 2 }] } }, '<r><p><q>1</q></p><p><q>2</q></p></r>'],
  ['empty array writes nothing', { r: { n: [], m: 1 } }, '<r><m>1</m></r>'],
  ['nested array gets a wrapper', { r: { n: [[1, 2]] } }, '<r><n><n>1</n><n>2</n></n></r>'],
  ['attributes', { r: { '@id': 5, '@name': 'x', v: 'y' } }, '<r id="5" name="x"><v>y</v></r>'],
  ['attribute later in the object', { r: { v: 'y', '@id': 5 } }, '<r id="5"><v>y</v></r>'],
  ['attribute escaping', { r: { '@a': 'x"<>&\n' } }, '<r a="x&quot;&lt;&gt;&amp;&#xA;" />'],
  ['#text', { r: { '@id': 1, '#text': 'body' } }, '<r id="1">body</r>'],
  ['#text array concatenates', { r: { '#text': ['a', 'b'], x: null } }, '<r>ab<x /></r>'],
  ['text escaping', { r: 'a < b & c > d "q"' }, '<r>a &lt; b &amp; c &gt; d "q"</r>'],
  ['newline kept raw in text', { r: 'a\nb' }, '<r>a\nb</r>'],
  ['#cdata-section', { r: { '#cdata-section': '<x>' } }, '<r><![CDATA[<x>]]></r>'],
  ['#comment is just an odd name', { r: { '#comment': 'c' } }, '<r><_x0023_comment>c</_x0023_comment></r>'],
  [
    'invalid name characters escaped',
    { 'a b': { 'c/d': 1, '1st': 2, 'é-ok': 3 } },
    '<a_x0020_b><c_x002F_d>1</c_x002F_d><_x0031_st>2</_x0031_st><é-ok>3</é-ok></a_x0020_b>',
  ],
  ['escape-like underscore escaped', { _x0041_: 1 }, '<_x005F_x0041_>1</_x005F_x0041_>'],
  ['undeclared prefix dropped', { 'ns:item': 'v' }, '<item>v</item>'],
  [
    'declared prefix kept',
    { 'ns:item': { '@xmlns:ns': 'urn:n', 'ns:sub': 1 } },
    '<ns:item xmlns:ns="urn:n"><ns:sub>1</ns:sub></ns:item>',
  ],
  ['default namespace', { item: { '@xmlns': 'urn:d', sub: 1 } }, '<item xmlns="urn:d"><sub>1</sub></item>'],
  [
    'declaration',
    { '?xml': { '@version': '1.0', '@encoding': 'utf-8' }, r: null },
    '<?xml version="1.0" encoding="utf-8"?><r />',
  ],
  ['processing instruction', { '?app': 'go', r: null }, '<?app go?><r />'],
  ['DOCTYPE', { '!DOCTYPE': { '@name': 'r', '@system': 'r.dtd' }, r: null }, '<!DOCTYPE r SYSTEM "r.dtd"[]><r />'],
  ['several roots are written as they are', { a: 1, b: 2 }, '<a>1</a><b>2</b>'],
];

describe('xml(object)', () => {
  for (const [name, value, expected] of cases) {
    it(name, () => assert.equal(jsonToXmlText(value), expected));
  }

  const failures: Array<[string, ValueObject]> = [
    ['CDATA containing its terminator', { r: { '#cdata-section': 'x]]>y' } }],
    ['attribute at the root', { '@a': 1 }],
    ['empty element name', { '': 1 }],
    ['declaration without version', { '?xml': { '@encoding': 'utf-8' }, r: null }],
  ];
  for (const [name, value] of failures) {
    it(`fails: ${name}`, () =>
      assert.throws(
        () => jsonToXmlText(value),
        (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument',
      ));
  }
});

describe('JSON → XML → JSON', () => {
  const roundTrips: Value[] = [
    { zoo: { lion: 'roar', owl: 'hoot', birds: ['tweet', 'caw'] } },
    { zoo: { pens: [{ animal: 'yak' }, { animal: 'emu' }] } },
    { r: { '@id': '1', v: null, w: '' } },
  ];
  for (const value of roundTrips) {
    it(JSON.stringify(value), () => assert.deepEqual(xmlToJsonValue(jsonToXmlText(value as ValueObject)), value));
  }
  it('text moves before child elements and comments disappear', () => {
    const json = xmlToJsonValue('<r>one<br/>two<!--x--></r>') as ValueObject;
    assert.equal(jsonToXmlText(json), '<r>onetwo<br /></r>');
  });
});
