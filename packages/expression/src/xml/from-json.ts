import { ExpressionError } from '../errors.js';
import type { Value, ValueObject } from '../values.js';
import { isArray, isDecimal, isFloatBox, isObject } from '../values.js';
import type { XmlAttribute, XmlContentNode, XmlDocument, XmlDocumentChild, XmlElement } from './dom.js';
import { XML_NAMESPACE, XMLNS_NAMESPACE } from './dom.js';
import { xmlDoubleText } from './dotnet-double.js';
import { encodeXmlName, splitQName } from './names.js';

/**
 * xml(object): Newtonsoft's JSON → XmlDocument mapping as Logic Apps applies it (spec §9.9).
 * Each key becomes an element (names escaped `_xHHHH_`), arrays repeat their key, `@x` keys are
 * attributes, `#text` / `#cdata-section` / `#whitespace` / `#significant-whitespace` are text,
 * `?xml` the declaration, `?target` a processing instruction, `!DOCTYPE` the document type.
 * Scalars are written as XmlConvert does (`true`, `1.5`, `1E+20`); null leaves an element empty.
 * A prefix that no `@xmlns:p` declares is dropped (`ro:ot` → `<ot>`), as Logic Apps does.
 * Several root keys are not refused here: the document is then invalid, which json() reports.
 */
export function jsonToXmlDocument(value: ValueObject): XmlDocument {
  const doc: XmlDocument = { type: 'document', children: [] };
  new Builder().properties(doc, value);
  return doc;
}

type Parent = XmlDocument | XmlElement;

function fail(message: string): never {
  throw new ExpressionError('InvalidArgument', `Could not convert JSON to XML: ${message}`);
}

/** XmlConvert's text for a JSON scalar; null for JSON null (no text at all). */
export function xmlScalarText(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : xmlDoubleText(v);
  if (isFloatBox(v)) return xmlDoubleText(v.value);
  if (isDecimal(v)) return v.toString();
  return fail('an object or array cannot be used as a text value.');
}

function append(parent: Parent, node: XmlDocumentChild | XmlContentNode): void {
  if (parent.type === 'document') {
    if (node.type === 'text' || node.type === 'cdata') fail('text cannot be added at the document level.');
    parent.children.push(node);
  } else {
    if (node.type === 'declaration' || node.type === 'doctype')
      fail('a declaration or DOCTYPE must be at the document level.');
    parent.children.push(node);
  }
}

class Builder {
  /** Namespace bindings declared through `@xmlns` / `@xmlns:p` keys, innermost last. */
  private readonly scopes: Array<Map<string, string>> = [new Map([['xml', XML_NAMESPACE]])];

  private lookup(prefix: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const uri = this.scopes[i]?.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
  }

  properties(parent: Parent, obj: ValueObject): void {
    for (const key of Object.keys(obj)) {
      const value = obj[key] as Value;
      if (key.startsWith('@')) {
        if (parent.type === 'document') fail(`the root object cannot have the attribute property '${key}'.`);
        this.attribute(parent, key.slice(1), value);
      } else if (isArray(value) && !isSpecialKey(key)) {
        for (const item of value) this.value(parent, key, item);
      } else this.value(parent, key, value);
    }
  }

  private value(parent: Parent, key: string, value: Value): void {
    switch (key) {
      case '#text':
      case '#whitespace':
      case '#significant-whitespace': {
        const text = xmlScalarText(value);
        if (text !== null) append(parent, { type: 'text', value: text, significantWhitespace: key !== '#text' });
        return;
      }
      case '#cdata-section':
        append(parent, { type: 'cdata', value: xmlScalarText(value) ?? '' });
        return;
    }
    if (key.startsWith('?')) {
      this.instruction(parent, key, value);
      return;
    }
    if (key.toLowerCase() === '!doctype') {
      this.doctype(parent, value);
      return;
    }
    if (isArray(value)) {
      // An array inside an array: a wrapper element repeating the key inside it.
      const wrapper = this.element(parent, key, {});
      for (const item of value) this.value(wrapper, key, item);
      return;
    }
    const el = this.element(parent, key, isObject(value) ? value : {});
    if (isObject(value)) {
      this.scopes.push(new Map());
      this.properties(el, withoutNamespaceDeclarations(value));
      this.scopes.pop();
      // A default namespace does not outlive its element (prefixed declarations do, as in Newtonsoft).
      if ('@xmlns' in value) this.scopes[this.scopes.length - 1]?.delete('');
    } else {
      const text = xmlScalarText(value);
      if (text !== null) el.children.push({ type: 'text', value: text });
    }
  }

  /** Creates the element for `key`; the object's `@xmlns*` keys are declared before its name resolves. */
  private element(parent: Parent, key: string, obj: ValueObject): XmlElement {
    if (key === '') fail('an empty property name cannot be an element name.');
    const declarations: XmlAttribute[] = [];
    for (const k of Object.keys(obj)) {
      if (k !== '@xmlns' && !k.startsWith('@xmlns:')) continue;
      const text = xmlScalarText(obj[k] as Value) ?? '';
      const prefix = k === '@xmlns' ? '' : k.slice(7);
      // Declared in the enclosing scope, as Newtonsoft does: siblings that follow see it too.
      (this.scopes[this.scopes.length - 1] as Map<string, string>).set(prefix, text);
      declarations.push(makeAttribute(k.slice(1), XMLNS_NAMESPACE, text));
    }
    const { prefix, localName } = qualify(encodeXmlName(key));
    const ns = this.lookup(prefix) ?? '';
    // An undeclared prefix is dropped.
    const keepPrefix = prefix !== '' && this.lookup(prefix) !== undefined;
    const el: XmlElement = {
      type: 'element',
      name: keepPrefix ? `${prefix}:${localName}` : localName,
      prefix: keepPrefix ? prefix : '',
      localName,
      namespaceUri: keepPrefix || prefix === '' ? ns : '',
      attributes: declarations,
      children: [],
      isEmpty: true,
    };
    append(parent, el);
    return el;
  }

  private attribute(el: XmlElement, name: string, value: Value): void {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (!el.attributes.some((a) => a.name === name))
        el.attributes.push(makeAttribute(name, XMLNS_NAMESPACE, xmlScalarText(value) ?? ''));
      return;
    }
    const { prefix, localName } = qualify(encodeXmlName(name));
    const ns = prefix === '' ? undefined : this.lookup(prefix);
    const qualified = ns === undefined ? localName : `${prefix}:${localName}`;
    if (el.attributes.some((a) => a.name === qualified)) fail(`the attribute '${qualified}' is given twice.`);
    el.attributes.push(makeAttribute(qualified, ns ?? '', xmlScalarText(value) ?? ''));
  }

  private instruction(parent: Parent, key: string, value: Value): void {
    if (key !== '?xml') {
      const target = encodeXmlName(key.slice(1), true);
      append(parent, { type: 'pi', target, data: xmlScalarText(value) ?? '' });
      return;
    }
    const fields = isObject(value) ? value : fail('?xml must be an object.');
    let version: string | undefined;
    let encoding: string | undefined;
    let standalone: string | undefined;
    for (const k of Object.keys(fields)) {
      const text = xmlScalarText(fields[k] as Value) ?? undefined;
      if (k === '@version') version = text;
      else if (k === '@encoding') encoding = text;
      else if (k === '@standalone') standalone = text;
      else fail(`unexpected property '${k}' in the XML declaration.`);
    }
    if (version === undefined) fail('the XML declaration has no version.');
    const decl: XmlDocumentChild = { type: 'declaration', version };
    if (encoding !== undefined) decl.encoding = encoding;
    if (standalone !== undefined) decl.standalone = standalone;
    append(parent, decl);
  }

  private doctype(parent: Parent, value: Value): void {
    const fields = isObject(value) ? value : fail('!DOCTYPE must be an object.');
    const node: XmlDocumentChild = { type: 'doctype', name: '', internalSubset: '' };
    let named = false;
    for (const k of Object.keys(fields)) {
      const text = xmlScalarText(fields[k] as Value) ?? undefined;
      if (k === '@name' && text !== undefined) {
        node.name = text;
        named = true;
      } else if (k === '@public' && text !== undefined) node.publicId = text;
      else if (k === '@system' && text !== undefined) node.systemId = text;
      else if (k === '@internalSubset' && text !== undefined) node.internalSubset = text;
      else if (!['@name', '@public', '@system', '@internalSubset'].includes(k))
        fail(`unexpected property '${k}' in !DOCTYPE.`);
    }
    if (!named) fail('the document type has no name.');
    append(parent, node);
  }
}

function isSpecialKey(key: string): boolean {
  return key.startsWith('?') || key.toLowerCase() === '!doctype';
}

function withoutNamespaceDeclarations(obj: ValueObject): ValueObject {
  const rest: ValueObject = {};
  for (const k of Object.keys(obj))
    if (k !== '@xmlns' && !k.startsWith('@xmlns:'))
      Object.defineProperty(rest, k, { value: obj[k], enumerable: true, writable: true, configurable: true });
  return rest;
}

/** Splits at the first colon; a further colon in the local part is escaped like any other bad character. */
function qualify(name: string): { prefix: string; localName: string } {
  const parsed = splitQName(name);
  if (parsed) return parsed;
  const i = name.indexOf(':');
  if (i <= 0) return { prefix: '', localName: encodeXmlName(name, true) };
  return { prefix: name.slice(0, i), localName: encodeXmlName(name.slice(i + 1), true) || '_' };
}

function makeAttribute(name: string, namespaceUri: string, value: string): XmlAttribute {
  const q = splitQName(name) ?? { prefix: '', localName: name };
  return { name, prefix: q.prefix, localName: q.localName, namespaceUri, value };
}
