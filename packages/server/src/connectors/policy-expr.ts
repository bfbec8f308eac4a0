/**
 * The small template language of policy template values (spec §14.5), as the corpus writes it:
 *
 *   https://@connectionParameters('instance').example.com      bare call inside text
 *   @connectionParameters('secretKey', '')                       with a default
 *   Bearer @headers('Authorization')   @queryParameters('id')   the request being built
 *   @Request.OriginalHTTPMethod
 *   @{triggerBody().data[0].created_time}                        braced expression
 *   [{@body().payments}]   '{@item()['id']}-{@item()['reference']}'   setproperty's `{@...}` form
 *   @body().gifts    @triggerBody().results                      body paths
 *
 * It is not WDL: `@connectionParameters('x').vault.azure.net` is text after the call, so only
 * body(), item() and triggerBody() take accessors. An `@` before anything else (an e-mail
 * address) is plain text. Values missing from the scope read as undefined ('' inside text).
 */
import { isRecord } from './values.js';

export interface PolicyScope {
  connectionParameter?: (name: string) => unknown;
  header?: (name: string) => string | undefined;
  queryParameter?: (name: string) => string | undefined;
  body?: unknown;
  item?: unknown;
  triggerBody?: unknown;
  method?: string;
}

type Accessor = { kind: 'prop'; name: string } | { kind: 'index'; index: number };
interface Call {
  fn: string;
  args: string[];
  accessors: Accessor[];
  end: number;
}

/** Functions whose result is a structure a path can walk into. */
const WITH_ACCESSORS = new Set(['body', 'item', 'triggerbody']);
const FUNCTIONS = new Set([
  'connectionparameters',
  'headers',
  'queryparameters',
  'queryparamters', // upstream typo (Pixela), meant the same
  'body',
  'item',
  'triggerbody',
  'request.originalhttpmethod',
]);

/** The template as one value when it is exactly one expression; otherwise the interpolated text. */
export function evaluateTemplate(template: string, scope: PolicyScope): unknown {
  const trimmed = template.trim();
  for (const form of ['@{', '{@'] as const) {
    if (trimmed.startsWith(form)) {
      const close = matchingBrace(trimmed, form === '@{' ? 1 : 0);
      if (close === trimmed.length - 1) {
        const call = parseCall(trimmed, 2);
        if (call && call.end === close) return evaluate(call, scope);
      }
    }
  }
  if (trimmed.startsWith('@')) {
    const call = parseCall(trimmed, 1);
    if (call && call.end === trimmed.length) return evaluate(call, scope);
  }
  return interpolate(template, scope);
}

/** The template as text: every expression replaced by its value (JSON for structures). */
export function interpolate(template: string, scope: PolicyScope): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    const braced = (c === '@' && template[i + 1] === '{') || (c === '{' && template[i + 1] === '@');
    if (braced) {
      const close = matchingBrace(template, c === '@' ? i + 1 : i);
      const call = close > 0 ? parseCall(template, i + 2) : undefined;
      if (call && call.end === close) {
        out += toText(evaluate(call, scope));
        i = close + 1;
        continue;
      }
    } else if (c === '@') {
      const call = parseCall(template, i + 1);
      if (call) {
        out += toText(evaluate(call, scope));
        i = call.end;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Walks `.a`, `['a']`, `[0]` accessors from a body-like value; undefined when a step is missing. */
export function walkPath(value: unknown, accessors: readonly Accessor[]): unknown {
  let node = value;
  for (const step of accessors) {
    if (step.kind === 'index') node = Array.isArray(node) ? node[step.index] : undefined;
    else if (isRecord(node)) node = node[step.name];
    else return undefined;
  }
  return node;
}

/** `@body().a.b` / `body()` / `@item()['x']` → which root and the accessors; undefined when not a path. */
export function parsePathTemplate(template: string): { root: string; accessors: Accessor[] } | undefined {
  const text = template.trim();
  const start = text.startsWith('@') ? 1 : 0;
  const call = parseCall(text, start);
  if (!call || call.end !== text.length || !WITH_ACCESSORS.has(call.fn)) return undefined;
  return { root: call.fn, accessors: call.accessors };
}

function evaluate(call: Call, scope: PolicyScope): unknown {
  switch (call.fn) {
    case 'connectionparameters': {
      const value = call.args[0] === undefined ? undefined : scope.connectionParameter?.(call.args[0]);
      return value === undefined || value === null || value === '' ? (call.args[1] ?? value) : value;
    }
    case 'headers':
      return call.args[0] === undefined ? undefined : scope.header?.(call.args[0]);
    case 'queryparameters':
    case 'queryparamters':
      return call.args[0] === undefined ? undefined : scope.queryParameter?.(call.args[0]);
    case 'request.originalhttpmethod':
      return scope.method;
    case 'body':
      return walkPath(scope.body, call.accessors);
    case 'item':
      return walkPath(scope.item, call.accessors);
    case 'triggerbody':
      return walkPath(scope.triggerBody, call.accessors);
    default:
      return undefined;
  }
}

/** Parses `name(args)accessors` at `start` (after the `@`); undefined when it is not one of ours. */
function parseCall(text: string, start: number): Call | undefined {
  const m = /^[A-Za-z][A-Za-z.]*/.exec(text.slice(start));
  if (!m) return undefined;
  let name = m[0];
  // `@connectionParameters('x').example.com`: the name ends at the call's parenthesis.
  if (name.toLowerCase() !== 'request.originalhttpmethod') name = name.replace(/\..*$/, '');
  const fn = name.toLowerCase();
  if (!FUNCTIONS.has(fn)) return undefined;
  let i = start + name.length;
  const args: string[] = [];
  if (fn !== 'request.originalhttpmethod') {
    if (text[i] !== '(') return undefined;
    i++;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === ')') break;
      if (text[i] !== "'") return undefined;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") break;
        else value += text[i++];
      }
      i++;
      args.push(value);
      while (text[i] === ' ') i++;
      if (text[i] === ',') i++;
      else if (text[i] !== ')') return undefined;
    }
    i++;
  }
  const accessors: Accessor[] = [];
  if (WITH_ACCESSORS.has(fn))
    for (;;) {
      if (text[i] === '?') i++;
      const dot = /^\.([A-Za-z_$@][\w$@-]*)/.exec(text.slice(i));
      if (dot) {
        accessors.push({ kind: 'prop', name: dot[1]! });
        i += dot[0].length;
        continue;
      }
      const quoted = /^\['((?:[^']|'')*)'\]/.exec(text.slice(i));
      if (quoted) {
        accessors.push({ kind: 'prop', name: quoted[1]!.replace(/''/g, "'") });
        i += quoted[0].length;
        continue;
      }
      const index = /^\[(\d+)\]/.exec(text.slice(i));
      if (index) {
        accessors.push({ kind: 'index', index: Number(index[1]) });
        i += index[0].length;
        continue;
      }
      break;
    }
  return { fn, args, accessors, end: i };
}

/** Index of the `}` closing the `{` at `open` (quotes respected), or -1. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '{') depth++;
    else if (!quoted && c === '}' && --depth === 0) return i;
  }
  return -1;
}
