/**
 * Bodies on the wire and in workflow values: JSON text for structured values, strings as they
 * are, and content envelopes `{"$content-type", "$content": <base64>}` for bytes (spec §4.1).
 */
import { JSON_DEPTH, jsonDepthExceeds } from '../util/json-depth.js';
import { isRecord, prop } from './types.js';

/**
 * JSON text for a workflow value (pretty when `indent` > 0, like JSON.stringify's third argument). Expression values may hold int64 `bigint`s and number boxes
 * (Float, Decimal) that JSON.stringify rejects or mangles, so they are written by hand here.
 */
export function toJsonText(value: unknown, indent = 0): string {
  return write(value, indent, '');
}

function write(value: unknown, indent: number, pad: string): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const open = (parts: string[], brackets: string): string => {
    if (parts.length === 0) return brackets;
    if (indent === 0) return `${brackets[0]}${parts.join(',')}${brackets[1]}`;
    return `${brackets[0]}\n${inner}${parts.join(`,\n${inner}`)}\n${pad}${brackets[1]}`;
  };
  if (Array.isArray(value))
    return open(
      value.map((item) => write(item, indent, inner)),
      '[]',
    );
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      // A number box from the expression package: Decimal carries its digits in toString(),
      // Float its double in `value`.
      const v = value as { kind?: unknown; value?: unknown; toString(): string };
      if (v.kind === 'decimal') return v.toString();
      if (typeof v.value === 'number') return write(v.value, indent, pad);
    }
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${indent > 0 ? ' ' : ''}${write(item, indent, inner)}`);
    }
    return open(parts, '{}');
  }
  return 'null';
}

export interface ContentEnvelope {
  '$content-type': string;
  $content: string;
}

export function isContentEnvelope(value: unknown): value is ContentEnvelope {
  return isRecord(value) && typeof value['$content-type'] === 'string' && typeof value.$content === 'string';
}

export interface EncodedBody {
  bytes: Uint8Array;
  /** The content type implied by the value, used when the caller set none. */
  contentType: string;
}

/**
 * The bytes to send for an action's `body`: objects, arrays, numbers and booleans as JSON,
 * strings as they are, envelopes as their decoded bytes, form-data envelopes URL-encoded.
 * Returns undefined when there is nothing to send.
 */
export function encodeBody(body: unknown): EncodedBody | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  if (isContentEnvelope(body)) {
    return { bytes: Buffer.from(body.$content, 'base64'), contentType: body['$content-type'] };
  }
  const formData = prop(body, '$formdata');
  if (isRecord(body) && Array.isArray(formData)) {
    const form = new URLSearchParams();
    for (const entry of formData) {
      if (isRecord(entry)) form.append(String(entry.key ?? ''), textOf(entry.value));
    }
    return { bytes: Buffer.from(form.toString(), 'utf8'), contentType: 'application/x-www-form-urlencoded' };
  }
  return { bytes: Buffer.from(toJsonText(body), 'utf8'), contentType: 'application/json; charset=utf-8' };
}

/** A header or query value as text: strings as-is, everything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return toJsonText(value);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonMediaType(contentType: string | undefined): boolean {
  const media = mediaType(contentType);
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

function isPlainText(contentType: string | undefined): boolean {
  const media = mediaType(contentType);
  // XML stays an envelope so xml()/xpath() see its exact bytes, as Logic Apps does.
  return media.startsWith('text/') && !media.endsWith('xml');
}

/**
 * The workflow value of a received body: JSON media types parsed (kept as text when the JSON is
 * malformed, or nested too deep for what handles it later: json-depth.ts), plain text as a string,
 * anything else as a content envelope. Empty → undefined.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): unknown {
  if (bytes.byteLength === 0) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isJsonMediaType(contentType)) {
    const text = buffer.toString('utf8');
    if (jsonDepthExceeds(buffer, JSON_DEPTH.payload)) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (isPlainText(contentType)) return buffer.toString('utf8');
  return {
    '$content-type': contentType ?? 'application/octet-stream',
    $content: buffer.toString('base64'),
  } satisfies ContentEnvelope;
}
