import { ExpressionError } from '../errors.js';
import type { Value, ValueObject } from '../values.js';
import type { XmlAttribute, XmlDocument, XmlDocumentChild, XmlContentNode, XmlElement } from './dom.js';
import { declarationOf, XML_NAMESPACE, XMLNS_NAMESPACE } from './dom.js';
import { decodeXmlName } from './names.js';

/**
 * json(xml): the mapping of Newtonsoft's XmlNodeConverter, which Logic Apps uses (spec §9.9).
 * Root element → the single key; attributes → `@name`; repeated names → arrays; mixed text →
 * `#text`; CDATA → `#cdata-section`; `<e/>` → null, `<e></e>` → "". Comments write nothing, but a
 * group of two or more of them still writes its key, hence the odd `"#comment": []`.
 */

/** Newtonsoft's json:Array="true" marker, honoured so an element can be forced into an array. */
const JSON_NAMESPACE = 'http://james.newtonking.com/projects/json';

/** Encodings .NET can read the document's UTF-8 bytes with; any other declared one fails. */
const readableEncodings = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'windows-1252']);

type GroupNode = XmlDocumentChild | XmlContentNode;

export function xmlDocumentToJson(doc: XmlDocument): Value {
  const encoding = declarationOf(doc)?.encoding;
  if (encoding !== undefined && !readableEncodings.has(encoding.toLowerCase()))
    throw new ExpressionError('InvalidArgument', `Could not parse XML: '${encoding}' is not a supported encoding.`);
  const result: ValueObject = {};
  new Converter().groupedNodes(result, doc.children);
  return result;
}

/** Sets a key without tripping over `__proto__` and friends. */
function setKey(obj: ValueObject, key: string, value: Value): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

class Converter {
  /** Newtonsoft's XmlNamespaceManager: prefix bindings in scope, newest last. */
  private readonly bindings: Array<Array<[string, string]>> = [
    [
      ['xml', XML_NAMESPACE],
      ['xmlns', XMLNS_NAMESPACE],
    ],
  ];

  private lookupPrefix(uri: string): string | undefined {
    if (uri === '') return '';
    for (let s = this.bindings.length - 1; s >= 0; s--) {
      const frame = this.bindings[s] as Array<[string, string]>;
      for (let i = frame.length - 1; i >= 0; i--) {
        const [prefix, bound] = frame[i] as [string, string];
        if (bound === uri && this.lookupNamespace(prefix) === uri) return prefix;
      }
    }
    return undefined;
  }

  private lookupNamespace(prefix: string): string | undefined {
    for (let s = this.bindings.length - 1; s >= 0; s--) {
      const frame = this.bindings[s] as Array<[string, string]>;
      for (let i = frame.length - 1; i >= 0; i--) if (frame[i]?.[0] === prefix) return frame[i]?.[1];
    }
    return undefined;
  }

  private fullName(node: { localName: string; namespaceUri: string }, isXmlnsAttribute = false): string {
    const prefix = isXmlnsAttribute ? undefined : this.lookupPrefix(node.namespaceUri);
    const local = decodeXmlName(node.localName);
    return prefix ? `${prefix}:${local}` : local;
  }

  private attributeKey(a: XmlAttribute): string {
    if (a.namespaceUri === JSON_NAMESPACE) return `$${a.localName}`;
    return `@${this.fullName(a, a.name === 'xmlns')}`;
  }

  private propertyName(node: GroupNode): string {
    switch (node.type) {
      case 'element':
        return node.namespaceUri === JSON_NAMESPACE ? `$${node.localName}` : this.fullName(node);
      case 'text':
        return node.significantWhitespace ? '#significant-whitespace' : '#text';
      case 'cdata':
        return '#cdata-section';
      case 'comment':
        return '#comment';
      case 'pi':
        return `?${decodeXmlName(node.target)}`;
      case 'declaration':
        return '?xml';
      case 'doctype':
        return '!DOCTYPE';
    }
  }

  /** SerializeGroupedNodes: children grouped by key, first appearance order. */
  groupedNodes(target: ValueObject, children: GroupNode[]): void {
    const groups = new Map<string, GroupNode[]>();
    for (const child of children) {
      const key = this.propertyName(child);
      const group = groups.get(key);
      if (group) group.push(child);
      else groups.set(key, [child]);
    }
    for (const [key, nodes] of groups) {
      const first = nodes[0] as GroupNode;
      if (nodes.length === 1 && !isArrayMarked(first)) {
        if (first.type === 'element') {
          // Newtonsoft names a lone element after taking in its own xmlns declarations.
          this.inScope(first, () => setKey(target, this.propertyName(first), this.elementBody(first)));
          continue;
        }
        const value = this.nodeValue(first);
        if (value !== undefined) setKey(target, key, value);
      } else {
        const values: Value[] = [];
        for (const node of nodes) {
          const value = this.nodeValue(node);
          if (value !== undefined) values.push(value);
        }
        setKey(target, key, values);
      }
    }
  }

  /** What SerializeNode writes for a node; undefined for a comment, which writes nothing. */
  private nodeValue(node: GroupNode): Value | undefined {
    switch (node.type) {
      case 'element':
        return this.inScope(node, () => this.elementBody(node));
      case 'text':
      case 'cdata':
        return node.value;
      case 'pi':
        return node.data;
      case 'comment':
        return undefined;
      case 'declaration': {
        const obj: ValueObject = {};
        if (node.version) setKey(obj, '@version', node.version);
        if (node.encoding) setKey(obj, '@encoding', node.encoding);
        if (node.standalone) setKey(obj, '@standalone', node.standalone);
        return obj;
      }
      case 'doctype': {
        const obj: ValueObject = {};
        if (node.name) setKey(obj, '@name', node.name);
        if (node.publicId) setKey(obj, '@public', node.publicId);
        if (node.systemId) setKey(obj, '@system', node.systemId);
        if (node.internalSubset) setKey(obj, '@internalSubset', node.internalSubset);
        return obj;
      }
    }
  }

  private inScope<T>(el: XmlElement, fn: () => T): T {
    const frame: Array<[string, string]> = [];
    for (const a of el.attributes)
      if (a.namespaceUri === XMLNS_NAMESPACE)
        frame.push([a.name === 'xmlns' ? '' : decodeXmlName(a.localName), a.value]);
    this.bindings.push(frame);
    try {
      return fn();
    } finally {
      this.bindings.pop();
    }
  }

  private elementBody(el: XmlElement): Value {
    const only = el.children[0];
    if (!hasValueAttributes(el) && el.children.length === 1 && only?.type === 'text' && !only.significantWhitespace)
      return only.value;
    if (el.children.length === 0 && el.attributes.length === 0) return el.isEmpty ? null : '';
    const obj: ValueObject = {};
    for (const a of el.attributes) {
      if (a.namespaceUri === XMLNS_NAMESPACE && a.value === JSON_NAMESPACE) continue;
      if (a.namespaceUri === JSON_NAMESPACE && a.localName === 'Array') continue;
      setKey(obj, this.attributeKey(a), a.value);
    }
    this.groupedNodes(obj, el.children);
    return obj;
  }
}

function hasValueAttributes(el: XmlElement): boolean {
  return el.attributes.some(
    (a) => a.namespaceUri !== JSON_NAMESPACE && !(a.namespaceUri === XMLNS_NAMESPACE && a.value === JSON_NAMESPACE),
  );
}

function isArrayMarked(node: GroupNode): boolean {
  return (
    node.type === 'element' &&
    node.attributes.some((a) => a.namespaceUri === JSON_NAMESPACE && a.localName === 'Array' && a.value === 'true')
  );
}
