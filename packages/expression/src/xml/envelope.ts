import type { Value, ValueObject } from '../values.js';
import { isObject } from '../values.js';

/**
 * Content envelopes (spec §4): binary and XML values are objects
 * `{"$content-type": <mime>, "$content": <base64>}`. An XML value carries the UTF-8 bytes of its
 * serialized document.
 */
export const XML_CONTENT_TYPE = 'application/xml;charset=utf-8';

export function xmlEnvelope(text: string): ValueObject {
  return { '$content-type': XML_CONTENT_TYPE, $content: Buffer.from(text, 'utf8').toString('base64') };
}

/** An object with string `$content-type` and `$content` (binary, XML, form data...). */
export function isContentEnvelope(v: Value): v is ValueObject & { '$content-type': string; $content: string } {
  return isObject(v) && typeof v['$content-type'] === 'string' && typeof v['$content'] === 'string';
}

/** The media type without parameters, lower-cased: `application/xml;charset=utf-8` → `application/xml`. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** An envelope whose content type is XML (`application/xml`, `text/xml` or `*+xml`). */
export function isXmlEnvelope(v: Value): v is ValueObject & { '$content-type': string; $content: string } {
  if (!isContentEnvelope(v)) return false;
  const media = mediaTypeOf(v['$content-type']);
  return media === 'application/xml' || media === 'text/xml' || media.endsWith('+xml');
}

/** The envelope's bytes decoded as UTF-8 text (invalid sequences become U+FFFD), BOM dropped. */
export function envelopeText(v: { $content: string }): string {
  const text = Buffer.from(v.$content, 'base64').toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
