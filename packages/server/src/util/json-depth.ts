/**
 * How deeply a JSON text nests, found without parsing it. JSON.parse itself takes any depth, but
 * what runs on a parsed value afterwards (schema checks, the engine's compile, cloning, our JSON
 * writers) recurses and overflows the stack on thousands of levels: bodies are measured first.
 * The scan is one loop over the raw bytes, counting `[` and `{` outside strings. In UTF-8 every
 * byte of a multi-byte character is >= 0x80, so scanning bytes and scanning characters agree.
 */

/** Nesting limits of the JSON the server accepts (README "Limits"). */
export const JSON_DEPTH = {
  /** Management API bodies (flows, users, settings...): a definition nests far less. */
  management: 128,
  /** Trigger bodies, callbacks and the bodies of HTTP responses a flow receives. */
  payload: 1000,
} as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether `json` (text or UTF-8 bytes) opens more than `limit` arrays/objects inside each other. */
export function jsonDepthExceeds(json: string | Uint8Array, limit: number): boolean {
  const length = json.length;
  // Each level opens with one character (one byte): a text no longer than the limit cannot pass it.
  if (length <= limit) return false;
  const text = typeof json === 'string';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = text ? json.charCodeAt(i) : (json[i] as number);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
