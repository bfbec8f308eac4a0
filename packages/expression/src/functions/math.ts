import type { AnyFunctionDef } from './types.js';
import type { Value } from '../values.js';
import { ExpressionError } from '../errors.js';
import { argError, expectInteger, kindName, nth } from '../coerce.js';
import { arith, compareNumbers, numericRank, promote, type ArithOp } from '../numbers.js';

/** Math functions (spec §9.5): int64 checked, float unchecked, decimal checked; see numbers.ts. */

function numberArg(fn: string, v: Value, i: number): Value {
  if (numericRank(v) < 0) {
    throw argError(
      fn,
      `expects its ${nth(i)} to be an integer or a decimal number. The provided value is of type '${kindName(v)}'.`,
    );
  }
  return v;
}

const binary = (name: ArithOp): AnyFunctionDef => ({
  name,
  minArgs: 2,
  maxArgs: 2,
  impl: ([a, b]) => arith(name, numberArg(name, a as Value, 0), numberArg(name, b as Value, 1)),
});

/** max/min over ≥2 numbers or one array of numbers; the result follows promotion. */
const extreme = (name: 'max' | 'min'): AnyFunctionDef => ({
  name,
  minArgs: 1,
  maxArgs: Infinity,
  impl: (args) => {
    let items: Value[];
    if (args.length === 1) {
      const only = args[0] as Value;
      if (!Array.isArray(only)) {
        throw argError(name, 'expects either an array of numbers or at least two numbers as parameters.');
      }
      items = only;
    } else {
      items = args;
    }
    if (items.length === 0) throw argError(name, 'expects a non-empty array of numbers.');
    let rank = 0;
    items.forEach((v, i) => {
      rank = Math.max(rank, numericRank(numberArg(name, v, i)));
    });
    let best = promote(items[0] as Value, rank);
    for (let i = 1; i < items.length; i++) {
      const v = promote(items[i] as Value, rank);
      const c = compareNumbers(v, best);
      if (Number.isNaN(c)) {
        best = v;
        continue;
      }
      if (name === 'max' ? c > 0 : c < 0) best = v;
    }
    return best;
  },
});

export const mathFunctions: AnyFunctionDef[] = [
  binary('add'),
  binary('sub'),
  binary('mul'),
  binary('div'),
  binary('mod'),
  extreme('max'),
  extreme('min'),
  {
    name: 'rand',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b], ctx) => {
      const min = expectInteger('rand', a as Value, nth(0));
      const max = expectInteger('rand', b as Value, nth(1));
      if (min > max) throw argError('rand', 'expects its minimum value to be no larger than its maximum value.');
      if (!ctx.random)
        throw new ExpressionError('InvalidReference', 'rand() needs a random source, and none is available here.');
      if (min === max) return min;
      return min + Math.floor(ctx.random() * (max - min));
    },
  },
  {
    name: 'range',
    minArgs: 2,
    maxArgs: 2,
    impl: ([a, b]) => {
      const start = expectInteger('range', a as Value, nth(0));
      const count = expectInteger('range', b as Value, nth(1));
      if (count < 0 || count > 100_000) {
        throw argError('range', 'expects its count parameter to be between 0 and 100000.');
      }
      if (start + count > 2_147_483_647) {
        throw argError('range', 'expects the sum of its start index and count to be no larger than 2147483647.');
      }
      const out: Value[] = new Array<Value>(count);
      for (let i = 0; i < count; i++) out[i] = start + i;
      return out;
    },
  },
];
