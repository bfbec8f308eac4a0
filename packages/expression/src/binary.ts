import { isObject, type Value, type ValueObject } from './values.js';
import { ExpressionError } from './errors.js';

/**
 * Binary and XML values are content envelopes `{"$content-type", "$content": base64}` (spec §4).
 * This module knows how to recognise them, build them and turn their bytes into text.
 */
export const OCTET_STREAM = 'application/octet-stream';
export const XML_UTF8 = 'application/xml;charset=utf-8';

export interface Envelope extends ValueObject {
  '$content-type': string;
  $content: string;
}

export function isEnvelope(v: Value): v is Envelope {
  return isObject(v) && typeof v['$content'] === 'string' && typeof v['$content-type'] === 'string';
}

/** The media type without parameters, lower-cased: `application/xml;charset=utf-8` → `application/xml`. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** `application/xml`, `text/xml` or any `*+xml` type. */
export function isXmlContentType(contentType: string): boolean {
  const media = mediaTypeOf(contentType);
  return media === 'application/xml' || media === 'text/xml' || media.endsWith('+xml');
}

export function isXmlEnvelope(v: Value): v is Envelope {
  return isEnvelope(v) && isXmlContentType(v['$content-type']);
}

export function makeEnvelope(contentType: string, base64: string): Envelope {
  return { '$content-type': contentType, $content: base64 };
}

export function utf8Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function invalidBase64(text: string): ExpressionError {
  return new ExpressionError(
    'InvalidArgument',
    `The input '${text.length > 50 ? text.slice(0, 50) + '…' : text}' is not a valid Base-64 string.`,
  );
}

/** Strict decoding as .NET Convert.FromBase64String: whitespace ignored, padding checked. */
export function base64ToBytes(text: string): Uint8Array {
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw invalidBase64(text);
  return Buffer.from(compact, 'base64');
}

/** What we need of a TextDecoder (its global type is not declared under our lib settings). */
export interface Decoder {
  decode(bytes: Uint8Array): string;
}

const UTF8: Decoder = new TextDecoder('utf-8');

/** A decoder for a charset name, or undefined when the name is unknown. */
export function decoderFor(charset: string): Decoder | undefined {
  const name = charset.trim().replace(/^"|"$/g, '');
  if (/^utf-?8$/i.test(name)) return UTF8;
  try {
    return new TextDecoder(name);
  } catch {
    return undefined;
  }
}

/** Encodes text in the given (known) charset. */
export function encodeText(text: string, charset: string | undefined): Uint8Array {
  const name = (charset ?? 'utf-8').trim().toLowerCase();
  if (name === 'utf-8' || name === 'utf8') return utf8Bytes(text);
  if (name === 'utf-16' || name === 'utf-16le' || name === 'unicode') return Buffer.from(text, 'utf16le');
  if (decoderFor(name) === undefined) {
    throw new ExpressionError('InvalidArgument', `'${charset}' is not a supported encoding name.`);
  }
  return Buffer.from(text, 'latin1');
}

/**
 * The charset parameter of a content type. A parameter without '=' makes the content type
 * invalid (as in `text/plain;base64;charset=ascii`), and so does an unknown charset.
 */
export function charsetOf(contentType: string): Decoder {
  const params = contentType.split(';').slice(1);
  let decoder = UTF8;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) {
      if (param.trim() === '') continue;
      throw new ExpressionError('InvalidArgument', `The content type '${contentType}' is not valid.`);
    }
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      const found = decoderFor(param.slice(eq + 1));
      if (!found) {
        throw new ExpressionError('InvalidArgument', `'${param.slice(eq + 1)}' is not a supported encoding name.`);
      }
      decoder = found;
    }
  }
  return decoder;
}

/** The text of an envelope's bytes (invalid sequences become U+FFFD). */
export function envelopeText(v: Envelope): string {
  const decoder = charsetOf(v['$content-type']);
  return decoder.decode(base64ToBytes(v.$content));
}

export function decodeUtf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}
