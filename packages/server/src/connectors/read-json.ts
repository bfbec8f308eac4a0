/**
 * Tolerant reading of connector files. Power Platform's own import accepts files that are not
 * strict JSON, and about 2% of the real corpus needs it: trailing commas, comments, a BOM,
 * Latin-1 bytes, missing commas between members, stray Unicode spaces, raw tabs inside strings,
 * and junk after the document. Strict JSON.parse runs first (fast path for 98% of files); then
 * jsonc-parser, which recovers from those mistakes while reporting them. Only the errors where
 * the recovered value is still what the author wrote are tolerated (see TOLERATED); anything
 * else (a missing value, an unclosed object) would silently lose members, so it is an error with
 * a JSON pointer to where the document stops making sense.
 */
import { getLocation, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { pointerOf, type ConnectorError, type ConnectorWarning } from './errors.js';

export type DocumentName = 'apiDefinition' | 'apiProperties';

export type ReadResult =
  { ok: true; value: unknown; warnings: ConnectorWarning[] } | { ok: false; error: ConnectorError };

/**
 * jsonc-parser errors after which the parsed value still holds every member the author wrote.
 * A missing comma is reported before the next member, which is then parsed normally; an invalid
 * symbol (U+2003 between tokens) is skipped; a raw control character stays in its string; junk
 * after the top-level value is ignored (and reported). Closing brackets missing at the end of the
 * file (two apiProperties files upstream) are tolerated too: see CLOSERS.
 */
const TOLERATED = new Set(['CommaExpected', 'InvalidSymbol', 'InvalidCharacter', 'EndOfFileExpected']);

/** Closers missing at the very end (a truncated last line): every member was read before it. */
const CLOSERS = new Set(['CloseBraceExpected', 'CloseBracketExpected']);

function tolerated(error: ParseError, text: string): boolean {
  const code = printParseErrorCode(error.error);
  return TOLERATED.has(code) || (CLOSERS.has(code) && text.slice(error.offset).trim() === '');
}

/** Bytes → text: UTF-8 when valid (BOM dropped), else Latin-1 (windows editors upstream). */
export function decodeText(bytes: Uint8Array): { text: string; latin1: boolean } {
  let text: string;
  let latin1 = false;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    latin1 = true;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, latin1 };
}

export function readConnectorJson(input: Uint8Array | string, document: DocumentName): ReadResult {
  const warnings: ConnectorWarning[] = [];
  let text: string;
  if (typeof input === 'string') text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  else {
    const decoded = decodeText(input);
    text = decoded.text;
    if (decoded.latin1)
      warnings.push({ code: 'Latin1Decoded', document, message: `${document} is not valid UTF-8; read as Latin-1.` });
  }
  try {
    return { ok: true, value: JSON.parse(text), warnings };
  } catch {
    // fall through to the tolerant parser
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const fatal = errors.find((e) => !tolerated(e, text));
  if (fatal || value === undefined) {
    const at = fatal ?? errors[0];
    const offset = at?.offset ?? 0;
    const { line, column } = lineColumn(text, offset);
    return {
      ok: false,
      error: {
        code: 'InvalidJson',
        document,
        message:
          `${document} is not JSON: ${at ? printParseErrorCode(at.error) : 'empty document'} ` +
          `at line ${line}, column ${column}.`,
        pointer: pointerAt(text, offset),
        line,
        column,
      },
    };
  }
  if (errors.length === 0)
    warnings.push({
      code: 'JsonRepaired',
      document,
      message: `${document} is not strict JSON (comments or trailing commas); read it anyway.`,
    });
  else {
    const list = errors.slice(0, 5).map((e) => {
      const { line, column } = lineColumn(text, e.offset);
      return `${printParseErrorCode(e.error)} at ${line}:${column} (${pointerAt(text, e.offset) || '/'})`;
    });
    warnings.push({
      code: 'JsonRepaired',
      document,
      pointer: pointerAt(text, errors[0]!.offset),
      message: `${document} is not strict JSON; read it anyway: ${list.join('; ')}${errors.length > 5 ? '; ...' : ''}.`,
    });
  }
  return { ok: true, value, warnings };
}

function pointerAt(text: string, offset: number): string {
  return pointerOf(getLocation(text, offset).path.filter((s) => s !== ''));
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  return { line, column: offset - lineStart + 1 };
}
