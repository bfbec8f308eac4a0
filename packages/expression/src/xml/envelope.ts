import type { ValueObject } from '../values.js';
import {
  envelopeText as decodeEnvelope,
  makeEnvelope,
  utf8Bytes,
  bytesToBase64,
  XML_UTF8,
  type Envelope,
} from '../binary.js';

/**
 * XML values are content envelopes (spec §4) carrying the UTF-8 bytes of the serialized document.
 * Recognising and decoding envelopes is binary.ts's job; this adds what is particular to XML.
 */
export {
  isEnvelope as isContentEnvelope,
  isXmlEnvelope,
  mediaTypeOf,
  XML_UTF8 as XML_CONTENT_TYPE,
} from '../binary.js';

export function xmlEnvelope(text: string): ValueObject {
  return makeEnvelope(XML_UTF8, bytesToBase64(utf8Bytes(text)));
}

/** The envelope's bytes decoded as text in its charset (invalid sequences become U+FFFD), BOM dropped. */
export function envelopeText(v: Envelope): string {
  const text = decodeEnvelope(v);
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
