// The ARM template expression language (the part inside "[...]"): function calls, single-quoted
// strings with '' as the escape for a quote, numbers, true/false, property access `.name` and
// index `[expr]`. Tokenizer and recursive-descent parser; evaluation is in evaluate.ts.
import { ArmError } from './errors.js';

export type ArmNode =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'call'; name: string; args: ArmNode[]; at: number }
  | { kind: 'property'; target: ArmNode; name: string; at: number }
  | { kind: 'index'; target: ArmNode; index: ArmNode; at: number };

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: number; at: number }
  | { t: 'punct'; v: '(' | ')' | ',' | '.' | '[' | ']'; at: number }
  | { t: 'end'; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ArmError('InvalidArmExpression', `Unterminated string starting at ${at}.`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ t: 'string', v: value, at });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) {
      tokens.push({ t: 'number', v: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_$][\w$]*/.exec(text.slice(i));
    if (ident) {
      tokens.push({ t: 'ident', v: ident[0], at });
      i += ident[0].length;
      continue;
    }
    if ('(),.[]'.includes(c)) {
      tokens.push({ t: 'punct', v: c as '(' | ')' | ',' | '.' | '[' | ']', at });
      i++;
      continue;
    }
    throw new ArmError('InvalidArmExpression', `Unexpected character '${c}' at ${at}.`);
  }
  tokens.push({ t: 'end', at: text.length });
  return tokens;
}

/** Parses the text between the outer brackets of a template expression. */
export function parseArmExpression(text: string): ArmNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const expect = (v: string): void => {
    const tok = next();
    if (tok.t !== 'punct' || tok.v !== v)
      throw new ArmError('InvalidArmExpression', `Expected '${v}' at ${tok.at}${describe(tok)}.`);
  };

  const primary = (): ArmNode => {
    const tok = next();
    if (tok.t === 'string' || tok.t === 'number') return { kind: 'literal', value: tok.v };
    if (tok.t === 'ident') {
      const following = peek();
      if (following.t === 'punct' && following.v === '(') {
        pos++;
        const args: ArmNode[] = [];
        const close = peek();
        if (close.t === 'punct' && close.v === ')') pos++;
        else {
          for (;;) {
            args.push(expression());
            const sep = next();
            if (sep.t === 'punct' && sep.v === ')') break;
            if (sep.t !== 'punct' || sep.v !== ',')
              throw new ArmError('InvalidArmExpression', `Expected ',' or ')' at ${sep.at}${describe(sep)}.`);
          }
        }
        return { kind: 'call', name: tok.v, args, at: tok.at };
      }
      const lower = tok.v.toLowerCase();
      if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
      throw new ArmError('InvalidArmExpression', `'${tok.v}' at ${tok.at} must be a function call: '${tok.v}(...)'.`);
    }
    throw new ArmError('InvalidArmExpression', `Expected a value at ${tok.at}${describe(tok)}.`);
  };

  const expression = (): ArmNode => {
    let node = primary();
    for (;;) {
      const tok = peek();
      if (tok.t !== 'punct') return node;
      if (tok.v === '.') {
        pos++;
        const name = next();
        if (name.t !== 'ident')
          throw new ArmError('InvalidArmExpression', `Expected a property name at ${name.at}${describe(name)}.`);
        node = { kind: 'property', target: node, name: name.v, at: name.at };
      } else if (tok.v === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index, at: tok.at };
      } else return node;
    }
  };

  const root = expression();
  const rest = peek();
  if (rest.t !== 'end') throw new ArmError('InvalidArmExpression', `Unexpected text at ${rest.at}${describe(rest)}.`);
  return root;
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return ' (the expression ended)';
    case 'string':
      return ` (found the string '${tok.v}')`;
    default:
      return ` (found '${tok.v}')`;
  }
}
