import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../errors.js';
import { normalizeXmlText } from './convert.js';
import { parseXml } from './parse.js';

describe('xml(string): re-serialization', () => {
  const cases: Array<[string, string, string]> = [
    ['self-closing tag gets a space', '<doc/>', '<doc />'],
    ['attributes are double-quoted', "<doc kind='a'/>", '<doc kind="a" />'],
    ['quote inside an attribute', `<doc note='say "hi"'/>`, '<doc note="say &quot;hi&quot;" />'],
    ['start/end pair is kept', '<doc></doc>', '<doc></doc>'],
    ['character references are resolved', '<n>&#x42;&#67;</n>', '<n>BC</n>'],
    [
      'predefined entities stay escaped',
      '<n>1 &lt; 2 &amp;&amp; 3 &gt; 2 &apos;&quot;</n>',
      `<n>1 &lt; 2 &amp;&amp; 3 &gt; 2 '"</n>`,
    ],
    ['> in text is escaped', '<n>a > b</n>', '<n>a &gt; b</n>'],
    ['comments kept', '<n><!-- note --><m/></n>', '<n><!-- note --><m /></n>'],
    ['CDATA kept verbatim', '<n><![CDATA[<raw> & stuff]]></n>', '<n><![CDATA[<raw> & stuff]]></n>'],
    ['adjacent CDATA sections stay apart', '<n><![CDATA[x]]><![CDATA[y]]></n>', '<n><![CDATA[x]]><![CDATA[y]]></n>'],
    [
      'whitespace-only text between markup dropped',
      '<list>\n  <item>1</item>\n  <item>2</item>\n</list>',
      '<list><item>1</item><item>2</item></list>',
    ],
    [
      'whitespace around comments dropped',
      '<n>  <!-- x -->  text  <!-- y -->  </n>',
      '<n><!-- x -->  text  <!-- y --></n>',
    ],
    ['mixed text keeps its spaces', '<p> one <b>two</b> three </p>', '<p> one <b>two</b> three </p>'],
    ['whitespace-only element becomes a start/end pair', '<e>   </e>', '<e></e>'],
    [
      'xml:space="preserve" keeps whitespace',
      '<e xml:space="preserve">  <f/>  </e>',
      '<e xml:space="preserve">  <f />  </e>',
    ],
    ['declaration kept', '<?xml version="1.0"?><doc/>', '<?xml version="1.0"?><doc />'],
    [
      'declaration with all parts',
      `<?xml version='1.0' encoding='UTF-8' standalone='no' ?><doc/>`,
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?><doc />',
    ],
    [
      'unknown encodings are accepted by xml()',
      '<?xml version="1.0" encoding="utf-16"?><doc/>',
      '<?xml version="1.0" encoding="utf-16"?><doc />',
    ],
    ['namespaces kept', '<p:doc xmlns:p="urn:p"><p:x/></p:doc>', '<p:doc xmlns:p="urn:p"><p:x /></p:doc>'],
    ['default namespace', '<doc xmlns="urn:d"><x/></doc>', '<doc xmlns="urn:d"><x /></doc>'],
    ['processing instruction kept', '<?style sheet?><doc/>', '<?style sheet?><doc />'],
    ['CRLF in text becomes LF', '<n>a\r\nb\rc</n>', '<n>a\nb\nc</n>'],
    ['newline in attribute is normalized to a space', '<n a="x\ny"/>', '<n a="x y" />'],
    ['character reference newline in attribute is escaped', '<n a="x&#10;y"/>', '<n a="x&#xA;y" />'],
    ['leading whitespace and BOM are fine', '\uFEFF  <doc/>  ', '<doc />'],
    ['DOCTYPE with SYSTEM id', '<!DOCTYPE doc SYSTEM "doc.dtd"><doc/>', '<!DOCTYPE doc SYSTEM "doc.dtd"[]><doc />'],
    [
      'DOCTYPE entity is expanded',
      '<!DOCTYPE doc [<!ENTITY who "world">]><doc>hello &who;</doc>',
      '<!DOCTYPE doc[<!ENTITY who "world">]><doc>hello world</doc>',
    ],
    ['non-ASCII text', '<t>żółw → 🐢</t>', '<t>żółw → 🐢</t>'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(normalizeXmlText(input), expected));
  }
});

describe('xml(string): documents that are refused', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'hello there'],
    ['empty string', ''],
    ['only a comment', '<!-- lonely -->'],
    ['only a declaration', '<?xml version="1.0"?>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>tail'],
    ['unclosed element', '<a><b></a>'],
    ['mismatched end tag', '<a></b>'],
    ['undeclared element prefix', '<q:a/>'],
    ['undeclared attribute prefix', '<a q:b="1"/>'],
    ['double hyphen in a comment', '<a><!-- x -- y --></a>'],
    ['comment ending in a hyphen', '<a><!-- x ---></a>'],
    ['version 1.1', '<?xml version="1.1"?><a/>'],
    ['unknown version', '<?xml version="2.0"?><a/>'],
    ['declaration without version', '<?xml encoding="utf-8"?><a/>'],
    ['standalone before encoding', '<?xml version="1.0" standalone="no" encoding="utf-8"?><a/>'],
    ['encoding before version', '<?xml encoding="utf-8" version="1.0"?><a/>'],
    ['bad standalone value', '<?xml version="1.0" standalone="maybe"?><a/>'],
    ['declaration not at the start', ' <?xml version="1.0"?><a/>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['unquoted attribute', '<a x=1/>'],
    ['< in attribute', '<a x="<"/>'],
    ['undefined entity', '<a>&nbsp;</a>'],
    ['bare ampersand', '<a>fish & chips</a>'],
    [']]> in text', '<a>]]></a>'],
    ['invalid character reference', '<a>&#0;</a>'],
    ['control character', '<a>\u0001</a>'],
    ['name starting with a digit', '<1a/>'],
    ['xmlns prefix bound to empty', '<a xmlns:p=""/>'],
    ['two DOCTYPEs', '<!DOCTYPE a><!DOCTYPE a><a/>'],
  ];
  for (const [name, input] of cases) {
    it(name, () =>
      assert.throws(
        () => parseXml(input),
        (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidArgument',
      ),
    );
  }
});

describe('parseXml: model', () => {
  it('remembers empty-element syntax and namespaces', () => {
    const doc = parseXml('<p:r xmlns:p="urn:x"><e/><f></f></p:r>');
    const root = doc.children[0];
    assert.ok(root && root.type === 'element');
    assert.equal(root.namespaceUri, 'urn:x');
    assert.equal(root.localName, 'r');
    assert.deepEqual(
      root.children.map((c) => c.type === 'element' && c.isEmpty),
      [true, false],
    );
  });
  it('keeps the DOCTYPE identifiers', () => {
    const doc = parseXml('<!DOCTYPE r PUBLIC "-//X//EN" "r.dtd"><r/>');
    assert.deepEqual(doc.children[0], {
      type: 'doctype',
      name: 'r',
      publicId: '-//X//EN',
      systemId: 'r.dtd',
      internalSubset: '',
    });
  });
});
