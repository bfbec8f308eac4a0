import type { Value, ValueObject } from '../values.js';
import { jsonToXmlDocument } from './from-json.js';
import { parseXml } from './parse.js';
import { serializeXml } from './serialize.js';
import { xmlDocumentToJson } from './to-json.js';

/** json(xml) (spec §9.9): parses the XML document text and maps it the Newtonsoft way. */
export function xmlToJsonValue(xmlText: string): Value {
  return xmlDocumentToJson(parseXml(xmlText));
}

/** xml(object) (spec §9.9): the document text; `{}` gives the empty document ''. */
export function jsonToXmlText(value: ValueObject): string {
  return serializeXml(jsonToXmlDocument(value));
}

/** xml(string) (spec §9.9): checks the text is a well-formed document and re-serializes it .NET-style. */
export function normalizeXmlText(xmlText: string): string {
  return serializeXml(parseXml(xmlText));
}
