import type {
  XmlAttribute,
  XmlComment,
  XmlProcessingInstruction,
  XmlDocument,
  XmlDocumentChild,
  XmlElement,
} from './dom.js';
import { XML_NAMESPACE, XMLNS_NAMESPACE } from './dom.js';
import { splitQName } from './names.js';
import { declaration, doctype } from './prolog.js';
import { normalizeNewlines, XmlScanner } from './scanner.js';

/**
 * A strict, non-validating, namespace-aware XML 1.0 parser with .NET XmlDocument's loading rules
 * (spec §9.9): one root element, declaration only at offset 0 with version 1.0 and its
 * pseudo-attributes in order, whitespace-only text between markup dropped (unless
 * xml:space="preserve"), references resolved, comments/CDATA/PIs kept, `<e/>` remembered.
 * Written by hand because xmldom forgets `<e/>` vs `<e></e>` and the raw DOCTYPE subset, both of
 * which show in json() and in the re-serialized text.
 */
export function parseXml(text: string): XmlDocument {
  return new Parser(text.startsWith('\uFEFF') ? text.slice(1) : text).document();
}

const invalidChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const whitespaceOnly = /^[ \t\r\n]*$/;
const predefinedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface Scope {
  namespaces: Map<string, string>;
  preserveSpace: boolean;
}

class Parser extends XmlScanner {
  /** Internal general entities declared in the DOCTYPE subset, name → replacement text. */
  private readonly entities = new Map<string, string>();

  constructor(src: string) {
    super(src);
    const bad = invalidChar.exec(src);
    if (bad) {
      this.pos = bad.index;
      this.fail(`invalid character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
    }
  }

  document(): XmlDocument {
    const children: XmlDocumentChild[] = [];
    if (/^<\?xml[ \t\r\n?]/.test(this.src)) children.push(declaration(this));
    let root: XmlElement | undefined;
    const scope: Scope = { namespaces: new Map([['xml', XML_NAMESPACE]]), preserveSpace: false };
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      if (this.at('<!--')) children.push(this.comment());
      else if (this.at('<!DOCTYPE')) {
        if (root || children.some((c) => c.type === 'doctype')) this.fail('unexpected DOCTYPE');
        children.push(doctype(this, this.entities));
      } else if (this.at('<?')) children.push(this.processingInstruction());
      else if (this.at('<') && !this.at('<!')) {
        if (root) this.fail('there are multiple root elements');
        root = this.element(scope);
        children.push(root);
      } else this.fail('data at the root level is invalid');
    }
    if (!root) this.fail('root element is missing');
    return { type: 'document', children };
  }

  private comment(): XmlComment {
    this.expect('<!--');
    const start = this.pos;
    const end = this.src.indexOf('--', start);
    if (end < 0) this.fail('unterminated comment');
    if (this.src[end + 2] !== '>') {
      this.pos = end;
      this.fail("'--' is not allowed inside a comment");
    }
    this.pos = end + 3;
    return { type: 'comment', value: normalizeNewlines(this.src.slice(start, end)) };
  }

  private processingInstruction(): XmlProcessingInstruction {
    this.expect('<?');
    const target = this.name();
    if (target.toLowerCase() === 'xml') this.fail('unexpected XML declaration');
    if (target.includes(':')) this.fail('a processing instruction target cannot contain a colon');
    let data = '';
    if (!this.at('?>')) {
      if (!this.skipSpace()) this.fail('whitespace expected after the processing instruction target');
      data = normalizeNewlines(this.until('?>', 'processing instruction'));
    } else this.pos += 2;
    return { type: 'pi', target, data };
  }

  private element(parent: Scope): XmlElement {
    this.expect('<');
    const name = this.name();
    const raw: Array<{ name: string; value: string }> = [];
    for (;;) {
      const space = this.skipSpace();
      if (this.at('/>') || this.at('>')) break;
      if (!space) this.fail('whitespace expected between attributes');
      const attrName = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const value = this.attributeValue();
      if (raw.some((a) => a.name === attrName)) this.fail(`duplicate attribute '${attrName}'`);
      raw.push({ name: attrName, value });
    }
    const scope = this.scopeFor(parent, raw);
    const qname = splitQName(name);
    if (!qname) this.fail(`'${name}' is not a valid qualified name`);
    if (qname.prefix === 'xmlns') this.fail("the 'xmlns' prefix cannot be used on an element");
    const ns = scope.namespaces.get(qname.prefix);
    if (qname.prefix !== '' && ns === undefined) this.fail(`'${qname.prefix}' is an undeclared prefix`);
    const attributes = raw.map((a) => this.resolveAttribute(a, scope));
    const expanded = new Set<string>();
    for (const a of attributes) {
      const key = `${a.namespaceUri}\u0000${a.localName}`;
      if (a.namespaceUri !== '' && expanded.has(key)) this.fail(`duplicate attribute '${a.name}'`);
      expanded.add(key);
    }
    const element: XmlElement = {
      type: 'element',
      name,
      prefix: qname.prefix,
      localName: qname.localName,
      namespaceUri: ns ?? '',
      attributes,
      children: [],
      isEmpty: this.at('/>'),
    };
    if (element.isEmpty) {
      this.pos += 2;
      return element;
    }
    this.pos++; // '>'
    this.content(element, scope);
    this.expect('</');
    const endName = this.name();
    if (endName !== name) this.fail(`the end tag '${endName}' does not match the start tag '${name}'`);
    this.skipSpace();
    this.expect('>');
    return element;
  }

  private scopeFor(parent: Scope, raw: Array<{ name: string; value: string }>): Scope {
    let namespaces = parent.namespaces;
    let preserveSpace = parent.preserveSpace;
    for (const { name, value } of raw) {
      if (name === 'xml:space')
        preserveSpace = value === 'preserve' ? true : value === 'default' ? false : preserveSpace;
      let prefix: string | undefined;
      if (name === 'xmlns') prefix = '';
      else if (name.startsWith('xmlns:')) prefix = name.slice(6);
      if (prefix === undefined) continue;
      if (prefix === 'xmlns') this.fail("the 'xmlns' prefix cannot be declared");
      if (prefix === 'xml' ? value !== XML_NAMESPACE : value === XML_NAMESPACE || value === XMLNS_NAMESPACE)
        this.fail(`invalid namespace declaration '${name}'`);
      if (prefix !== '' && value === '') this.fail(`the prefix '${prefix}' cannot be bound to an empty namespace`);
      if (namespaces === parent.namespaces) namespaces = new Map(namespaces);
      if (prefix === '' && value === '') namespaces.delete('');
      else namespaces.set(prefix, value);
    }
    return { namespaces, preserveSpace };
  }

  private resolveAttribute(a: { name: string; value: string }, scope: Scope): XmlAttribute {
    const qname = splitQName(a.name);
    if (!qname) this.fail(`'${a.name}' is not a valid qualified name`);
    let namespaceUri = '';
    if (a.name === 'xmlns' || qname.prefix === 'xmlns') namespaceUri = XMLNS_NAMESPACE;
    else if (qname.prefix !== '') {
      const ns = scope.namespaces.get(qname.prefix);
      if (ns === undefined) this.fail(`'${qname.prefix}' is an undeclared prefix`);
      namespaceUri = ns;
    }
    return { name: a.name, prefix: qname.prefix, localName: qname.localName, namespaceUri, value: a.value };
  }

  /** Attribute-value normalisation: references resolved, literal whitespace becomes spaces. */
  private attributeValue(): string {
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'") this.fail('a quoted attribute value was expected');
    this.pos++;
    let value = '';
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated attribute value');
      const c = this.src[this.pos] as string;
      if (c === q) break;
      if (c === '<') this.fail("'<' is not allowed in an attribute value");
      if (c === '&') {
        value += this.reference();
        continue;
      }
      if (c === '\r') {
        value += ' ';
        this.pos += this.src[this.pos + 1] === '\n' ? 2 : 1;
        continue;
      }
      value += c === '\n' || c === '\t' ? ' ' : c;
      this.pos++;
    }
    this.pos++;
    return value;
  }

  private reference(): string {
    this.expect('&');
    if (this.at('#')) {
      const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+));/.exec(this.src.slice(this.pos, this.pos + 16));
      if (!m) this.fail('invalid character reference');
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] as string, 10);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '\u0000';
      if (invalidChar.test(ch)) this.fail('a character reference refers to an invalid character');
      this.pos += m[0].length;
      return ch;
    }
    const name = this.name();
    this.expect(';');
    const value = predefinedEntities[name] ?? this.entities.get(name);
    if (value === undefined) this.fail(`reference to undeclared entity '${name}'`);
    return value;
  }

  private content(element: XmlElement, scope: Scope): void {
    let text: string | undefined;
    const flush = () => {
      if (text === undefined) return;
      if (!whitespaceOnly.test(text)) element.children.push({ type: 'text', value: text });
      else if (scope.preserveSpace) element.children.push({ type: 'text', value: text, significantWhitespace: true });
      text = undefined;
    };
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`the element '${element.name}' is not closed`);
      if (this.at('</')) {
        flush();
        return;
      }
      if (this.at('<![CDATA[')) {
        flush();
        this.pos += 9;
        element.children.push({ type: 'cdata', value: normalizeNewlines(this.until(']]>', 'CDATA section')) });
      } else if (this.at('<!--')) {
        flush();
        element.children.push(this.comment());
      } else if (this.at('<?')) {
        flush();
        element.children.push(this.processingInstruction());
      } else if (this.at('<!')) {
        this.fail('unexpected markup declaration');
      } else if (this.at('<')) {
        flush();
        element.children.push(this.element(scope));
      } else if (this.at('&')) {
        text = (text ?? '') + this.reference();
      } else {
        const start = this.pos;
        while (this.pos < this.src.length && this.src[this.pos] !== '<' && this.src[this.pos] !== '&') this.pos++;
        const chunk = this.src.slice(start, this.pos);
        const bad = chunk.indexOf(']]>');
        if (bad >= 0) {
          this.pos = start + bad;
          this.fail("']]>' is not allowed in text");
        }
        text = (text ?? '') + normalizeNewlines(chunk);
      }
    }
  }
}
