import type { Value } from '../values.js';
import { ExpressionError } from '../errors.js';

/**
 * json(xml): the Newtonsoft-style mapping of spec §9.9. Takes the XML document text.
 * Filled in by the XML work.
 */
export function xmlToJsonValue(xmlText: string): Value {
  throw new ExpressionError('InvalidArgument', `json() of XML is not available yet: ${xmlText.slice(0, 20)}`);
}
