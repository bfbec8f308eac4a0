import type { Node, Template } from './ast.js';
import { ExpressionError } from './errors.js';
import { Scanner } from './scanner.js';

/**
 * Recursive-descent parser for WDL expressions (spec §2–3) and for the shapes of definition
 * strings (spec §1). Syntax errors are ExpressionError('InvalidTemplate') with the offset.
 */

const KEYWORDS: Record<string, null | boolean> = { null: null, true: true, false: false };

/**
 * How deeply calls and indexes may nest (`f(g(h(...)))`, `x[y[z]]`). The parser, the compiler and
 * the evaluator all recurse over the tree: past this, an 8 KiB expression of `f(f(f(...` would
 * overflow the stack, so it is refused with a coded error. Real expressions nest a dozen levels.
 */
export const MAX_EXPRESSION_DEPTH = 256;

function parseValue(s: Scanner): Node {
  if (++s.depth > MAX_EXPRESSION_DEPTH) {
    throw new ExpressionError(
      'NestingTooDeep',
      `The expression nests calls and indexes deeper than ${MAX_EXPRESSION_DEPTH} levels.`,
      s.text,
      s.pos,
    );
  }
  const node = parseValueAt(s);
  s.depth--;
  return node;
}

function parseValueAt(s: Scanner): Node {
  s.skipWs();
  const pos = s.pos;
  const c = s.peek();
  let node: Node;
  if (c === "'") {
    node = { kind: 'literal', value: s.string(), pos };
  } else if (s.atNumber()) {
    node = { kind: 'literal', value: s.number(), pos };
  } else if (s.atIdentStart()) {
    const name = s.identifier();
    s.skipWs();
    if (s.peek() === '(') {
      s.pos++;
      node = { kind: 'call', name, args: parseArgs(s), pos };
    } else if (Object.prototype.hasOwnProperty.call(KEYWORDS, name)) {
      node = { kind: 'literal', value: KEYWORDS[name] as null | boolean, pos };
    } else {
      s.fail(`The name '${name}' must be followed by an argument list: '${name}(...)'.`, pos);
    }
  } else if (c === undefined) {
    s.fail('The expression is incomplete: a value was expected.');
  } else {
    s.fail(`Unexpected character '${c}': a value was expected.`);
  }
  return parseAccessors(s, node);
}

function parseArgs(s: Scanner): Node[] {
  const args: Node[] = [];
  s.skipWs();
  if (s.peek() === ')') {
    s.pos++;
    return args;
  }
  while (true) {
    args.push(parseValue(s));
    s.skipWs();
    const c = s.peek();
    if (c === ',') {
      s.pos++;
      continue;
    }
    if (c === ')') {
      s.pos++;
      return args;
    }
    s.fail(
      c === undefined ? "The argument list is not closed: ')' expected." : `Unexpected '${c}': ',' or ')' expected.`,
    );
  }
}

function parseAccessors(s: Scanner, target: Node): Node {
  let node = target;
  while (true) {
    s.skipWs();
    const pos = s.pos;
    let c = s.peek();
    let nullSafe = false;
    if (c === '?') {
      nullSafe = true;
      s.pos++;
      s.skipWs();
      c = s.peek();
      if (c !== '.' && c !== '[') s.fail("'?' must be followed by '.' or '['.");
    }
    if (c === '.') {
      s.pos++;
      s.skipWs();
      if (!s.atIdentStart()) s.fail("A property name is expected after '.'.");
      const keyPos = s.pos;
      const name = s.identifier();
      node = { kind: 'access', target: node, key: { kind: 'literal', value: name, pos: keyPos }, nullSafe, pos };
    } else if (c === '[') {
      s.pos++;
      const key = parseValue(s);
      s.skipWs();
      if (s.peek() !== ']') s.fail("']' expected.");
      s.pos++;
      node = { kind: 'access', target: node, key, nullSafe, pos };
    } else if (c === '(' && node.kind === 'call') {
      s.fail('The result of a function call cannot be called.');
    } else {
      return node;
    }
  }
}

/** Parses one expression starting at `start`; returns it and the offset just after it. */
export function parseExpressionAt(text: string, start: number): { node: Node; end: number } {
  const s = new Scanner(text, start);
  const node = parseValue(s);
  s.skipWs();
  return { node, end: s.pos };
}

/** Parses the whole-value expression of `@expr` (everything after the leading '@'). */
export function parseWholeExpression(text: string, start: number): Node {
  const { node, end } = parseExpressionAt(text, start);
  if (end < text.length) {
    new Scanner(text, end).fail(`Unexpected '${text[end]}' after the end of the expression.`);
  }
  return node;
}

/** Classifies and parses a definition string by its shape (spec §1). */
export function parseTemplate(text: string): Template {
  if (text.length < 2 || text.charCodeAt(0) !== 64 /* @ */) {
    return text.includes('@{') ? parseInterpolation(text) : { kind: 'text', text };
  }
  const second = text[1];
  if (second === '@') return { kind: 'text', text: text.slice(1) };
  if (second === '{') return parseInterpolation(text);
  return { kind: 'expression', node: parseWholeExpression(text, 1) };
}

function parseInterpolation(text: string): Template {
  const parts: Array<string | Node> = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('@', i);
    if (at < 0) break;
    if (text[at + 1] === '@' && text[at + 2] === '{') {
      // '@@{' is an escaped '@{'.
      literal += text.slice(i, at) + '@{';
      i = at + 3;
      continue;
    }
    if (text[at + 1] !== '{') {
      literal += text.slice(i, at + 1);
      i = at + 1;
      continue;
    }
    literal += text.slice(i, at);
    const { node, end } = parseExpressionAt(text, at + 2);
    if (text[end] !== '}') {
      new Scanner(text, end).fail(
        end >= text.length
          ? "The interpolation '@{' is not closed by '}'."
          : `Unexpected '${text[end]}': '}' expected.`,
      );
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(node);
    i = end + 1;
  }
  literal += text.slice(i);
  if (literal !== '') parts.push(literal);
  return { kind: 'interpolation', parts };
}
