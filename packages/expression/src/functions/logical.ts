import type { AnyFunctionDef } from './types.js';
import type { Value } from '../values.js';
import { argError, expectBoolean, kindName, nth } from '../coerce.js';
import { compareOrdinal, deepEquals } from '../compare.js';
import { compareNumbers, numericRank } from '../numbers.js';

/**
 * Logical comparison functions (spec §9.3). `and`, `or` and `if` are lazy: they evaluate only the
 * arguments they need, so errors in the others never surface (spec §7).
 */

function booleanArg(fn: string, v: Value, i: number): boolean {
  if (typeof v !== 'boolean') {
    throw argError(fn, `expects its ${nth(i)} to be of type boolean. The provided value is of type '${kindName(v)}'.`);
  }
  return v;
}

/** Ordering for greater/less: numbers of any kind, or two strings (ordinal). */
function order(fn: string, a: Value, b: Value): number {
  if (numericRank(a) >= 0 && numericRank(b) >= 0) return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareOrdinal(a, b);
  throw argError(
    fn,
    `expects two parameters of matching types: numbers or strings. The provided values are of types '${kindName(a)}' and '${kindName(b)}'.`,
  );
}

export const logicalFunctions: AnyFunctionDef[] = [
  {
    name: 'and',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: true,
    impl: (args) => {
      for (let i = 0; i < args.length; i++) if (!booleanArg('and', (args[i] as () => Value)(), i)) return false;
      return true;
    },
  },
  {
    name: 'or',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: true,
    impl: (args) => {
      for (let i = 0; i < args.length; i++) if (booleanArg('or', (args[i] as () => Value)(), i)) return true;
      return false;
    },
  },
  {
    name: 'if',
    minArgs: 3,
    maxArgs: 3,
    lazy: true,
    impl: ([cond, whenTrue, whenFalse]) => {
      const c = expectBoolean('if', (cond as () => Value)(), nth(0));
      return c ? (whenTrue as () => Value)() : (whenFalse as () => Value)();
    },
  },
  {
    name: 'not',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => !expectBoolean('not', v as Value),
  },
  {
    name: 'equals',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => {
      // The docs: comparisons treat a null operand as an empty string.
      const x = a === null ? '' : (a as Value);
      const y = b === null ? '' : (b as Value);
      return deepEquals(x, y);
    },
  },
  {
    name: 'greater',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => order('greater', a as Value, b as Value) > 0,
  },
  {
    name: 'greaterOrEquals',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => order('greaterOrEquals', a as Value, b as Value) >= 0,
  },
  {
    name: 'less',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => order('less', a as Value, b as Value) < 0,
  },
  {
    name: 'lessOrEquals',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => order('lessOrEquals', a as Value, b as Value) <= 0,
  },
];
