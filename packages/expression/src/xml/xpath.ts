import { createRequire } from 'node:module';
import type {
  DOMImplementation,
  Document as DomDocument,
  Element as DomElement,
  Node as DomNode,
} from '@xmldom/xmldom';
import { ExpressionError } from '../errors.js';
import type { Value } from '../values.js';
import { Float } from '../values.js';
import type { XmlContentNode, XmlDocument, XmlNode } from './dom.js';
import { xmlEnvelope } from './envelope.js';
import { serializeXml } from './serialize.js';

/**
 * The xpath package's own typings pull the DOM lib into every file of the program (a
 * `reference lib="dom"` directive), so it is loaded untyped and described by this much.
 */
interface XPathLib {
  select(expression: string, node: unknown): unknown;
}

interface XmlLibs {
  xpath: XPathLib;
  DOMImplementation: typeof DOMImplementation;
}

let libs: XmlLibs | undefined;
/**
 * xmldom and xpath are loaded the first time an xpath() runs, not when the package is imported:
 * together they cost tens of milliseconds and several MiB at start, and most processes never run
 * an xpath(). Evaluation is synchronous, so they are required (both are CommonJS), not imported.
 * (Written as `createRequire(import.meta.url)(id)` so that scripts/build.mjs bundles it lazily.)
 */
function xmlLibs(): XmlLibs {
  libs ??= {
    xpath: createRequire(import.meta.url)('xpath') as XPathLib,
    DOMImplementation: (
      createRequire(import.meta.url)('@xmldom/xmldom') as { DOMImplementation: typeof DOMImplementation }
    ).DOMImplementation,
  };
  return libs;
}

/**
 * xpath(xml, expression) (spec §9.8): XPath 1.0 over the document. Node-sets become arrays —
 * elements (and the document node) as XML envelopes of their outer XML, text, attributes,
 * comments and processing instructions as their string values; numbers are floats (`sum()` of
 * integers is 15.0), strings and booleans stay as they are. Namespaced names need
 * `local-name()` tests: there is no prefix binding, as in Logic Apps.
 */
export function evaluateXPath(doc: XmlDocument, expression: string): Value {
  const { xpath, DOMImplementation } = xmlLibs();
  const { dom, origin } = toDom(doc, DOMImplementation);
  let result: unknown;
  try {
    result = xpath.select(expression, dom);
  } catch (e) {
    throw new ExpressionError(
      'InvalidArgument',
      `The xpath expression '${expression}' is not valid: ${(e as Error).message}`,
    );
  }
  if (Array.isArray(result)) return result.map((node) => nodeValue(node as DomNode, origin));
  if (typeof result === 'number')
    return Number.isSafeInteger(result) || Object.is(result, -0) ? new Float(result) : result;
  if (typeof result === 'string' || typeof result === 'boolean') return result;
  if (result === null || result === undefined) return null;
  return nodeValue(result as DomNode, origin);
}

const ELEMENT_NODE = 1;
const DOCUMENT_NODE = 9;

function nodeValue(node: DomNode, origin: Map<DomNode, XmlNode>): Value {
  if (node.nodeType === ELEMENT_NODE || node.nodeType === DOCUMENT_NODE) {
    const source = origin.get(node);
    if (!source) throw new ExpressionError('InvalidArgument', 'The xpath result refers to an unknown node.');
    return xmlEnvelope(serializeXml(source));
  }
  // Attributes, text, CDATA, comments, processing instructions, namespace nodes.
  return node.nodeValue ?? node.textContent ?? '';
}

/** Builds an xmldom tree for the xpath engine, remembering which of our nodes each element came from. */
function toDom(
  doc: XmlDocument,
  Implementation: typeof DOMImplementation,
): { dom: DomDocument; origin: Map<DomNode, XmlNode> } {
  const dom = new Implementation().createDocument(null, '');
  const origin = new Map<DomNode, XmlNode>([[dom, doc]]);
  const build = (node: XmlContentNode): DomNode => {
    switch (node.type) {
      case 'element': {
        const el: DomElement = dom.createElementNS(node.namespaceUri || null, node.name);
        for (const a of node.attributes) el.setAttributeNS(a.namespaceUri || null, a.name, a.value);
        for (const child of node.children) el.appendChild(build(child));
        origin.set(el, node);
        return el;
      }
      case 'text':
        return dom.createTextNode(node.value);
      case 'cdata':
        return dom.createCDATASection(node.value);
      case 'comment':
        return dom.createComment(node.value);
      case 'pi':
        return dom.createProcessingInstruction(node.target, node.data);
    }
  };
  for (const child of doc.children) {
    if (child.type === 'declaration' || child.type === 'doctype') continue;
    dom.appendChild(build(child));
  }
  return { dom, origin };
}
