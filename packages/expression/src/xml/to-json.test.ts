import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { xmlToJsonValue } from './convert.js';

/** Expected values are written as JSON text: every leaf of json(xml) is a string or null. */
const cases: Array<[string, string, string]> = [
  ['text element', '<greeting>hi</greeting>', '{"greeting":"hi"}'],
  ['empty element is null', '<e/>', '{"e":null}'],
  ['start/end pair is an empty string', '<e></e>', '{"e":""}'],
  ['whitespace-only content is an empty string', '<e>  \n </e>', '{"e":""}'],
  ['attributes', '<p id="7" kind="x"/>', '{"p":{"@id":"7","@kind":"x"}}'],
  ['attributes and text', '<p id="7">v</p>', '{"p":{"@id":"7","#text":"v"}}'],
  ['repeated children become an array', '<l><i>1</i><i>2</i><j/></l>', '{"l":{"i":["1","2"],"j":null}}'],
  ['groups keep first-appearance order', '<l><i>1</i><j/><i>2</i></l>', '{"l":{"i":["1","2"],"j":null}}'],
  ['mixed content text array', '<m>a<x/>b<y/>c</m>', '{"m":{"#text":["a","b","c"],"x":null,"y":null}}'],
  ['single CDATA', '<c><![CDATA[<b>]]></c>', '{"c":{"#cdata-section":"<b>"}}'],
  ['several CDATA sections', '<c><![CDATA[1]]><![CDATA[2]]></c>', '{"c":{"#cdata-section":["1","2"]}}'],
  [
    'namespace declarations and prefixes',
    '<s:env xmlns:s="urn:s"><s:body>x</s:body></s:env>',
    '{"s:env":{"@xmlns:s":"urn:s","s:body":"x"}}',
  ],
  ['default namespace', '<r xmlns="urn:d"><v>1</v></r>', '{"r":{"@xmlns":"urn:d","v":"1"}}'],
  ['xml: attributes', '<r xml:lang="en">t</r>', '{"r":{"@xml:lang":"en","#text":"t"}}'],
  ['a single comment vanishes', '<r><!-- c --><v/></r>', '{"r":{"v":null}}'],
  ['two comments leave an empty marker', '<r><!-- c --><!-- d --><v/></r>', '{"r":{"#comment":[],"v":null}}'],
  ['comments among text', '<r>a<!--1-->b<!--2--></r>', '{"r":{"#text":["a","b"],"#comment":[]}}'],
  ['comment-only element is an empty object', '<r><!-- only --></r>', '{"r":{}}'],
  ['comments after a child', '<r><v/><!--1--><!--2--><!--3--></r>', '{"r":{"v":null,"#comment":[]}}'],
  [
    'declaration',
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?><r/>',
    '{"?xml":{"@version":"1.0","@encoding":"utf-8","@standalone":"yes"},"r":null}',
  ],
  [
    'DOCTYPE with system id',
    '<!DOCTYPE r SYSTEM "r.dtd"><r/>',
    '{"!DOCTYPE":{"@name":"r","@system":"r.dtd"},"r":null}',
  ],
  [
    'DOCTYPE with public id and subset',
    '<!DOCTYPE r PUBLIC "pub" "sys" [<!ELEMENT r ANY>]><r/>',
    '{"!DOCTYPE":{"@name":"r","@public":"pub","@system":"sys","@internalSubset":"<!ELEMENT r ANY>"},"r":null}',
  ],
  ['DOCTYPE empty parts omitted', '<!DOCTYPE r SYSTEM "" []><r/>', '{"!DOCTYPE":{"@name":"r"},"r":null}'],
  ['processing instruction', '<?app run?><r/>', '{"?app":"run","r":null}'],
  ['escaped names are decoded', '<a_x0020_b>1</a_x0020_b>', '{"a b":"1"}'],
  [
    'json:Array forces an array',
    '<r xmlns:json="http://james.newtonking.com/projects/json"><i json:Array="true">1</i></r>',
    '{"r":{"i":["1"]}}',
  ],
  ['entities resolved in values', '<r a="&lt;&amp;">&gt;</r>', '{"r":{"@a":"<&","#text":">"}}'],
  [
    'ascii encoding is readable',
    '<?xml version="1.0" encoding="us-ascii"?><r/>',
    '{"?xml":{"@version":"1.0","@encoding":"us-ascii"},"r":null}',
  ],
];

describe('json(xml)', () => {
  for (const [name, xml, expected] of cases) {
    it(name, () => assert.deepEqual(xmlToJsonValue(xml), JSON.parse(expected)));
  }
  it('keeps key order', () => {
    assert.deepEqual(Object.keys(xmlToJsonValue('<r><z/><a/><m/></r>') as object), ['r']);
    const inner = (xmlToJsonValue('<r><z/><a/><m/></r>') as { r: object }).r;
    assert.deepEqual(Object.keys(inner), ['z', 'a', 'm']);
  });
  it('does not let __proto__ through as a prototype', () => {
    const v = xmlToJsonValue('<__proto__>x</__proto__>') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__']);
  });

  const failures: Array<[string, string]> = [
    ['UTF-16 declared over UTF-8 bytes', '<?xml version="1.0" encoding="utf-16"?><r/>'],
    ['unknown encoding', '<?xml version="1.0" encoding="klingon"?><r/>'],
    ['not XML', '<'],
    ['no root', ''],
    ['two roots', '<a/><b/>'],
  ];
  for (const [name, xml] of failures) {
    it(`fails: ${name}`, () =>
      assert.throws(
        () => xmlToJsonValue(xml),
        (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument',
      ));
  }
});
