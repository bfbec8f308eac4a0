/**
 * A small XML document model, closer to .NET's XmlDocument than to the W3C DOM: it keeps what the
 * WDL conversions need and a W3C DOM loses (whether an element was written `<e/>` or `<e></e>`,
 * the raw DOCTYPE internal subset, the XML declaration's pseudo-attributes).
 */

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  /** Qualified name as written, e.g. `xmlns:a`, `a:b`, `id`. */
  name: string;
  prefix: string;
  localName: string;
  /** '' when the attribute is in no namespace. */
  namespaceUri: string;
  value: string;
}

export interface XmlElement {
  type: 'element';
  name: string;
  prefix: string;
  localName: string;
  /** '' when the element is in no namespace. */
  namespaceUri: string;
  attributes: XmlAttribute[];
  children: XmlContentNode[];
  /** True for `<e/>` (XmlElement.IsEmpty): json() maps it to null, `<e></e>` to "". */
  isEmpty: boolean;
}

export interface XmlText {
  type: 'text';
  value: string;
  /** Whitespace-only text kept because xml:space="preserve" is in scope. */
  significantWhitespace?: boolean;
}

export interface XmlCData {
  type: 'cdata';
  value: string;
}

export interface XmlComment {
  type: 'comment';
  value: string;
}

export interface XmlProcessingInstruction {
  type: 'pi';
  target: string;
  data: string;
}

export interface XmlDeclaration {
  type: 'declaration';
  version: string;
  encoding?: string;
  standalone?: string;
}

export interface XmlDocumentType {
  type: 'doctype';
  name: string;
  publicId?: string;
  systemId?: string;
  /** The raw text between `[` and `]`, or '' when there is none (as .NET reports it). */
  internalSubset: string;
}

export type XmlContentNode = XmlElement | XmlText | XmlCData | XmlComment | XmlProcessingInstruction;
export type XmlDocumentChild = XmlDeclaration | XmlDocumentType | XmlElement | XmlComment | XmlProcessingInstruction;

export interface XmlDocument {
  type: 'document';
  /** In document order. A parsed document has exactly one element; one built from JSON may have none or several. */
  children: XmlDocumentChild[];
}

export type XmlNode = XmlDocument | XmlDocumentChild | XmlContentNode;

export function documentElement(doc: XmlDocument): XmlElement | undefined {
  return doc.children.find((c): c is XmlElement => c.type === 'element');
}

export function declarationOf(doc: XmlDocument): XmlDeclaration | undefined {
  return doc.children.find((c): c is XmlDeclaration => c.type === 'declaration');
}
