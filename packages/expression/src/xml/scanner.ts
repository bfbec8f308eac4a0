import { ExpressionError } from '../errors.js';
import { nameLengthAt } from './names.js';

/** Line-end normalisation (XML 1.0 §2.11) for literal text. */
export const normalizeNewlines = (s: string) => s.replace(/\r\n?/g, '\n');

/**
 * A position in an XML text and the lexical steps the parser (parse.ts, prolog.ts) takes from it:
 * literals, whitespace, names, quoted values, text up to a terminator. Each fails with the offset
 * it stopped at.
 */
export class XmlScanner {
  pos = 0;

  constructor(readonly src: string) {}

  fail(message: string): never {
    throw new ExpressionError('InvalidArgument', `Could not parse XML: ${message} (at offset ${this.pos}).`);
  }

  at(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  expect(s: string): void {
    if (!this.at(s)) this.fail(`expected '${s}'`);
    this.pos += s.length;
  }

  /** Skips XML whitespace; returns whether there was any. */
  skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos] as string)) this.pos++;
    return this.pos > start;
  }

  name(): string {
    const length = nameLengthAt(this.src, this.pos);
    if (length === 0) this.fail('a name was expected');
    this.pos += length;
    return this.src.slice(this.pos - length, this.pos);
  }

  quoted(): string {
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'") this.fail('a quoted value was expected');
    const end = this.src.indexOf(q, this.pos + 1);
    if (end < 0) this.fail('unterminated quoted value');
    const value = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  until(terminator: string, what: string): string {
    const end = this.src.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    const value = this.src.slice(this.pos, end);
    this.pos = end + terminator.length;
    return value;
  }
}
