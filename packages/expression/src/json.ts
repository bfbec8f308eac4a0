import type { Value, ValueObject } from './values.js';
import { ExpressionError } from './errors.js';
import { mkFloat, normInt, INT64_MAX, INT64_MIN } from './numbers.js';
import { setOwn } from './objects.js';

/**
 * JSON text → Value for `json()`. Unlike JSON.parse it keeps the integer/float distinction
 * (`5.0` is a float, `5` an integer), int64 precision (bigint beyond 2^53) and WDL's duplicate-key
 * rule: the last value wins and the key moves to where it last occurred (spec §6).
 */
export function parseJson(text: string): Value {
  const p = new JsonParser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i < text.length) p.fail('Unexpected content after the JSON value');
  return v;
}

/**
 * How deeply json() nests arrays and objects: the parser and everything that walks its value
 * afterwards (string(), xml(), the host's writers) recurse. The host takes trigger bodies as deep.
 */
export const MAX_JSON_DEPTH = 1000;

class JsonParser {
  i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  /** Entered an array or object: refused past MAX_JSON_DEPTH rather than overflowing the stack. */
  enter(): void {
    if (++this.depth > MAX_JSON_DEPTH)
      throw new ExpressionError(
        'NestingTooDeep',
        `The JSON nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (at position ${this.i}).`,
      );
  }

  fail(what: string): never {
    throw new ExpressionError('InvalidArgument', `${what} at position ${this.i} while parsing JSON.`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(): Value {
    const c = this.s[this.i];
    switch (c) {
      case '{': {
        this.enter();
        const v = this.object();
        this.depth--;
        return v;
      }
      case '[': {
        this.enter();
        const v = this.array();
        this.depth--;
        return v;
      }
      case '"':
        return this.string();
      case 't':
        return this.word('true', true);
      case 'f':
        return this.word('false', false);
      case 'n':
        return this.word('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'Unexpected end of text' : `Unexpected character '${c}'`);
    }
  }

  word<T extends Value>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail('Invalid literal');
    this.i += w.length;
    return v;
  }

  number(): Value {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return this.fail('Invalid number');
    this.i += r[0].length;
    if (r[1] !== undefined || r[2] !== undefined) return mkFloat(Number(r[0]));
    const n = Number(r[0]);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
    const b = BigInt(r[0]);
    if (b < INT64_MIN || b > INT64_MAX) return n; // beyond int64: a float
    return normInt(b);
  }

  string(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    while (true) {
      if (this.i >= s.length) this.fail('Unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 34) break;
      if (c === 92) {
        out += s.slice(start, this.i);
        const e = s[this.i + 1];
        this.i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = s.slice(this.i, this.i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid unicode escape');
            out += String.fromCharCode(parseInt(hex, 16));
            this.i += 4;
            break;
          }
          default:
            this.i -= 2;
            this.fail('Invalid escape');
        }
        start = this.i;
      } else if (c < 32 && c !== 9) {
        this.fail('Invalid character in string');
      } else {
        this.i++;
      }
    }
    out += s.slice(start, this.i);
    this.i++; // closing quote
    return out;
  }

  array(): Value[] {
    this.i++;
    const out: Value[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    while (true) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        this.fail("Expected ',' or ']'");
      }
    }
  }

  object(): ValueObject {
    this.i++;
    const out: ValueObject = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    while (true) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('Expected a property name');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail("Expected ':'");
      this.i++;
      this.ws();
      const v = this.value();
      // A repeated key keeps the last value at the position of its last occurrence.
      if (Object.prototype.hasOwnProperty.call(out, key)) delete out[key];
      setOwn(out, key, v);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        this.fail("Expected ',' or '}'");
      }
    }
  }
}
