// XML support for the expression language: parsing, .NET-style serialization, the JSON ⇄ XML
// mappings, content envelopes and XPath (spec §4, §5, §9.8, §9.9).
export type * from './dom.js';
export { parseXml } from './parse.js';
export { serializeXml } from './serialize.js';
export { xmlToJsonValue, jsonToXmlText, normalizeXmlText } from './convert.js';
export { xmlDocumentToJson } from './to-json.js';
export { jsonToXmlDocument } from './from-json.js';
export { encodeXmlName, decodeXmlName } from './names.js';
export {
  XML_CONTENT_TYPE,
  xmlEnvelope,
  isXmlEnvelope,
  isContentEnvelope,
  envelopeText,
  mediaTypeOf,
} from './envelope.js';
export { evaluateXPath } from './xpath.js';
export { toXmlValue, xpathOf } from './value.js';
