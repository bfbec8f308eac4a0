/**
 * Local $ref resolution for Swagger 2.0 documents (`#/definitions/...`, `#/parameters/...`,
 * `#/responses/...`, any local pointer). We do not use @apidevtools/swagger-parser: its
 * `validate` rejects 21 corpus files and takes ~50 s for the corpus, and `dereference` alone
 * (which works) pulls 16 packages for what is this one page, and hands back shared object graphs
 * that cannot say where a cycle was cut.
 *
 * A reference is inlined; a reference to a target already being expanded on the current path (a
 * cycle: a tree node whose children are tree nodes) stays a reference, marked with
 * `x-flowbridge-circular: true`, so consumers see where recursion is and nothing loops. Keys
 * written beside a $ref (x-ms-summary, description) are kept over the target's: connector
 * authors put them there on purpose. Results without a cut cycle are cached per target and
 * shared (they do not depend on the path that reached them): treat resolved schemas as read-only.
 */
import { pointerOf, segmentsOf, type ConnectorError } from './errors.js';

export const CIRCULAR = 'x-flowbridge-circular';

type Resolved = { value: unknown; cut: boolean };

export class RefResolver {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly root: unknown) {}

  /**
   * A copy of `value` (found at `at` in the document) with every local $ref resolved.
   * Throws RefError (caught by the importer, which turns it into a coded error).
   */
  resolve(value: unknown, at: readonly (string | number)[]): unknown {
    return this.walk(value, [...at], []).value;
  }

  private walk(node: unknown, at: (string | number)[], stack: string[]): Resolved {
    if (Array.isArray(node)) {
      let cut = false;
      const out = node.map((item, i) => {
        const r = this.walk(item, [...at, i], stack);
        cut ||= r.cut;
        return r.value;
      });
      return { value: out, cut };
    }
    if (node === null || typeof node !== 'object') return { value: node, cut: false };
    const object = node as Record<string, unknown>;
    const ref = object.$ref;
    if (typeof ref === 'string') return this.follow(ref, object, at, stack);
    let cut = false;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(object)) {
      const r = this.walk(child, [...at, key], stack);
      cut ||= r.cut;
      out[key] = r.value;
    }
    return { value: out, cut };
  }

  private follow(ref: string, object: Record<string, unknown>, at: (string | number)[], stack: string[]): Resolved {
    const where = pointerOf([...at, '$ref']);
    if (!ref.startsWith('#'))
      throw new RefError({
        code: 'UnsupportedReference',
        message: `$ref '${ref}' points outside the document; only local references (#/...) are supported.`,
        pointer: where,
        document: 'apiDefinition',
      });
    let target: string;
    try {
      target = decodeURIComponent(ref.slice(1));
    } catch {
      target = ref.slice(1);
    }
    const siblings = Object.entries(object).filter(([k]) => k !== '$ref');
    if (stack.includes(target)) return { value: { ...object, [CIRCULAR]: true }, cut: true };
    let resolved: Resolved;
    const cached = this.cache.get(target);
    if (cached !== undefined) resolved = { value: cached, cut: false };
    else {
      const found = lookup(this.root, target);
      if (!found.ok)
        throw new RefError({
          code: 'UnresolvedReference',
          message: `$ref '${ref}' does not resolve: ${found.missing} is missing.`,
          pointer: where,
          document: 'apiDefinition',
        });
      resolved = this.walk(found.value, segmentsOf(target), [...stack, target]);
      if (!resolved.cut) this.cache.set(target, resolved.value);
    }
    if (siblings.length === 0 || !isObject(resolved.value)) return resolved;
    let cut = resolved.cut;
    const merged: Record<string, unknown> = { ...resolved.value };
    for (const [key, child] of siblings) {
      const r = this.walk(child, [...at, key], stack);
      cut ||= r.cut;
      merged[key] = r.value;
    }
    return { value: merged, cut };
  }
}

export class RefError extends Error {
  constructor(readonly error: ConnectorError) {
    super(error.message);
    this.name = 'RefError';
  }
}

function lookup(root: unknown, pointer: string): { ok: true; value: unknown } | { ok: false; missing: string } {
  if (pointer !== '' && !pointer.startsWith('/')) return { ok: false, missing: `'${pointer}' (not a JSON pointer)` };
  let node = root;
  const done: string[] = [];
  for (const segment of segmentsOf(pointer)) {
    done.push(segment);
    if (Array.isArray(node) && /^\d+$/.test(segment) && Number(segment) < node.length) node = node[Number(segment)];
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
    else return { ok: false, missing: pointerOf(done) };
  }
  return { ok: true, value: node };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
