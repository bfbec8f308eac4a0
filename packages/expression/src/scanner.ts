import { ExpressionError } from './errors.js';
import { INT64_MAX, INT64_MIN, mkFloat, normInt } from './numbers.js';
import type { Value } from './values.js';

/**
 * Character-level lexing of WDL expressions (spec §2). The parser drives it, because whether
 * `.5` is a number or a member access depends on where it stands.
 */
export class Scanner {
  pos: number;
  /** How many values the parser is inside of (calls and indexes), for its depth limit. */
  depth = 0;
  constructor(
    readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  fail(message: string, at = this.pos): never {
    throw new ExpressionError('InvalidTemplate', message, this.text, at);
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** `'...'` with `''` for a quote; no backslash escapes. */
  string(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let out = '';
    let from = this.pos;
    while (true) {
      const q = t.indexOf("'", this.pos);
      if (q < 0) this.fail('The string literal is not terminated.', start);
      if (t[q + 1] === "'") {
        out += t.slice(from, q + 1);
        this.pos = q + 2;
        from = this.pos;
        continue;
      }
      out += t.slice(from, q);
      this.pos = q + 1;
      return out;
    }
  }

  /** True when a number literal starts here. */
  atNumber(): boolean {
    const t = this.text;
    let i = this.pos;
    const c = t[i];
    if (c === '+' || c === '-') i++;
    const d = t[i];
    if (d !== undefined && d >= '0' && d <= '9') return true;
    if (d === '.') {
      const e = t[i + 1];
      return e !== undefined && e >= '0' && e <= '9';
    }
    return c === '+' || c === '-';
  }

  /** `[+-]? digits? (. digits?)? ([eE][+-]? digits)?` with at least one mantissa digit. */
  number(): Value {
    const t = this.text;
    const start = this.pos;
    let i = this.pos;
    if (t[i] === '+' || t[i] === '-') i++;
    const intStart = i;
    while (isDigit(t[i])) i++;
    let digits = i - intStart;
    let isFloat = false;
    if (t[i] === '.') {
      isFloat = true;
      i++;
      const fracStart = i;
      while (isDigit(t[i])) i++;
      digits += i - fracStart;
    }
    if (digits === 0) this.fail('The number literal is not valid.', start);
    if (t[i] === 'e' || t[i] === 'E') {
      isFloat = true;
      i++;
      if (t[i] === '+' || t[i] === '-') i++;
      const expStart = i;
      while (isDigit(t[i])) i++;
      if (i === expStart) this.fail('The number literal has an incomplete exponent.', start);
    }
    if (isIdentChar(t[i])) this.fail('The number literal is not valid.', start);
    this.pos = i;
    const literal = t.slice(start, i);
    if (isFloat) return mkFloat(Number(literal));
    const n = Number(literal);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
    const b = BigInt(literal);
    if (b < INT64_MIN || b > INT64_MAX) this.fail(`The integer literal '${literal}' is out of range.`, start);
    return normInt(b);
  }

  atIdentStart(): boolean {
    const c = this.text[this.pos];
    return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
  }

  identifier(): string {
    const start = this.pos;
    this.pos++;
    while (isIdentChar(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_');
}
