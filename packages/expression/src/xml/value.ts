import { ExpressionError } from '../errors.js';
import type { Value, ValueObject } from '../values.js';
import { isObject } from '../values.js';
import { jsonToXmlText, normalizeXmlText } from './convert.js';
import { envelopeText, isContentEnvelope, isXmlEnvelope, XML_CONTENT_TYPE, xmlEnvelope } from './envelope.js';
import { parseXml } from './parse.js';
import { evaluateXPath } from './xpath.js';

/**
 * xml(value) (spec §9.9): a string must be a well-formed document and is re-serialized; a content
 * envelope (binary, or XML already) keeps its bytes unchecked under the XML content type; any
 * other object goes through the JSON → XML mapping.
 */
export function toXmlValue(value: Value): ValueObject {
  if (typeof value === 'string') return xmlEnvelope(normalizeXmlText(value));
  if (isContentEnvelope(value)) return { '$content-type': XML_CONTENT_TYPE, $content: value.$content };
  if (isObject(value)) return xmlEnvelope(jsonToXmlText(value));
  throw new ExpressionError(
    'InvalidArgument',
    "The template function 'xml' expects its parameter to be a string, an object or a binary value.",
  );
}

/** xpath(xml, expression) (spec §9.8): the first argument must be an XML value, not a string. */
export function xpathOf(xml: Value, expression: Value): Value {
  if (!isXmlEnvelope(xml))
    throw new ExpressionError(
      'InvalidArgument',
      "The template function 'xpath' expects its first parameter to be an XML object.",
    );
  if (typeof expression !== 'string')
    throw new ExpressionError(
      'InvalidArgument',
      "The template function 'xpath' expects its second parameter to be of type string.",
    );
  return evaluateXPath(parseXml(envelopeText(xml)), expression);
}
