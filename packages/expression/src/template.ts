import type { Node } from './ast.js';
import type { WorkflowContext } from './context.js';
import type { Value, ValueObject } from './values.js';
import { ExpressionError } from './errors.js';
import { parseTemplate } from './parser.js';
import { compileCall, compileNode, type Evaluator } from './compiler.js';
import { toText } from './text.js';
import { setOwn } from './objects.js';

/**
 * Definition strings and JSON values → Compiled (spec §1). Constant parts are evaluated once at
 * compile time; a `constant` Compiled ignores its context.
 */
export interface Compiled {
  evaluate(ctx: WorkflowContext): Value;
  readonly constant: boolean;
}

const constant = (value: Value): Compiled => ({ evaluate: () => value, constant: true });
const dynamic = (evaluate: Evaluator): Compiled => ({ evaluate, constant: false });

function literalOf(node: Node): { value: Value } | undefined {
  return node.kind === 'literal' ? { value: node.value } : undefined;
}

/** Compiles one definition string by its shape: `@@..`, `@expr`, `..@{..}..` or literal text. */
export function compileString(text: string): Compiled {
  const template = parseTemplate(text);
  switch (template.kind) {
    case 'text':
      return constant(template.text);
    case 'expression': {
      const lit = literalOf(template.node);
      return lit ? constant(lit.value) : dynamic(compileNode(template.node, text));
    }
    case 'interpolation': {
      const parts = template.parts.map((p) => {
        if (typeof p === 'string') return p;
        const lit = literalOf(p);
        return lit ? toText(lit.value) : compileNode(p, text);
      });
      if (parts.every((p) => typeof p === 'string')) return constant((parts as string[]).join(''));
      if (parts.length === 1) {
        const only = parts[0] as Evaluator;
        return dynamic((ctx) => toText(only(ctx)));
      }
      return dynamic((ctx) => {
        let out = '';
        for (const p of parts) out += typeof p === 'string' ? p : toText(p(ctx));
        return out;
      });
    }
  }
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function withPointer(error: unknown, pointer: string): unknown {
  if (error instanceof ExpressionError && error.pointer === undefined) error.pointer = pointer;
  return error;
}

function compileJson(json: unknown, pointer: string): Compiled {
  if (typeof json === 'string') {
    try {
      return compileString(json);
    } catch (e) {
      throw withPointer(e, pointer);
    }
  }
  if (Array.isArray(json)) {
    const items = json.map((item, i) => compileJson(item, `${pointer}/${i}`));
    if (items.every((c) => c.constant)) {
      const values = items.map((c) => c.evaluate({}));
      // Reuse the definition's own array when nothing changed (no escapes, no literal expressions).
      return constant(values.every((v, i) => v === json[i]) ? (json as Value[]) : values);
    }
    return dynamic((ctx) => items.map((c) => c.evaluate(ctx)));
  }
  if (json !== null && typeof json === 'object') {
    const source = json as Record<string, unknown>;
    const keys = Object.keys(source);
    const items = keys.map((k) => compileJson(source[k], `${pointer}/${escapePointer(k)}`));
    const build = (ctx: WorkflowContext): ValueObject => {
      const out: ValueObject = {};
      for (let i = 0; i < keys.length; i++) setOwn(out, keys[i] as string, (items[i] as Compiled).evaluate(ctx));
      return out;
    };
    if (items.every((c) => c.constant)) {
      const same = items.every((c, i) => c.evaluate({}) === source[keys[i] as string]);
      return constant(same ? (json as ValueObject) : build({}));
    }
    return dynamic(build);
  }
  if (json === undefined) return constant(null);
  return constant(json as Value);
}

/**
 * Compiles every string inside a JSON value (object keys are not evaluated). A syntax error
 * carries `pointer`, the JSON pointer of the bad string relative to `json`.
 */
export function compileValue(json: unknown): Compiled {
  return compileJson(json, '');
}

/**
 * A condition object `{"fn": [args...]}` (function name matched case-insensitively), or the
 * designer's `{"not": {...}}`, whose single operand is written without the array.
 */
function isCallObject(json: unknown): json is Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  if (keys.length !== 1) return false;
  const value = (json as Record<string, unknown>)[keys[0] as string];
  return Array.isArray(value) || (keys[0]?.toLowerCase() === 'not' && isCallObject(value));
}

/** The operands of a condition object: its array, or the one nested condition of `not`. */
function operands(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function compileConditionAt(json: unknown, pointer: string, source: string): Compiled {
  if (!isCallObject(json)) {
    try {
      return compileJson(json, pointer);
    } catch (e) {
      throw withPointer(e, pointer);
    }
  }
  const name = Object.keys(json)[0] as string;
  const value = json[name];
  const args = operands(value).map((arg, i) =>
    compileConditionAt(arg, `${pointer}/${escapePointer(name)}${Array.isArray(value) ? `/${i}` : ''}`, source),
  );
  return dynamic(
    compileCall(
      name,
      args.map((a) => a.evaluate.bind(a)),
      0,
      source,
    ),
  );
}

/** If/Until conditions: an expression string or an object tree of function calls (spec §1). */
export function compileCondition(json: unknown): Compiled {
  if (typeof json === 'string') return compileString(json);
  return compileConditionAt(json, '', isCallObject(json) ? JSON.stringify(json) : '');
}

/** Compiles and evaluates one definition string. */
export function evaluateString(text: string, ctx: WorkflowContext = {}): Value {
  return compileString(text).evaluate(ctx);
}
