import { ExpressionError } from '../errors.js';
import { isDecimal, isFloatBox, isInteger, kindOf, type Value } from '../values.js';
import { resolveCulture } from '../datetime/cultures.js';
import { formatNumberValue, type NumberInput } from '../datetime/numeric.js';
import type { AnyFunctionDef } from './types.js';

/** formatNumber(number, format, locale?): .NET numeric format strings with culture data. */

function numberInput(v: Value): NumberInput {
  if (isInteger(v)) return { kind: 'integer', value: BigInt(v) };
  if (isFloatBox(v)) return { kind: 'double', value: v.value };
  if (typeof v === 'number') return { kind: 'double', value: v };
  if (isDecimal(v)) return { kind: 'decimal', mantissa: v.mantissa, scale: v.scale };
  throw new ExpressionError(
    'InvalidArgument',
    `The template language function 'formatNumber' expects its first parameter to be a number. The provided value is of type '${kindOf(v)}'.`,
  );
}

export const numberFormatFunctions: AnyFunctionDef[] = [
  {
    name: 'formatNumber',
    minArgs: 2,
    maxArgs: 3,
    impl: (args) => {
      const input = numberInput(args[0] ?? null);
      const format = args[1];
      if (typeof format !== 'string') {
        throw new ExpressionError(
          'InvalidArgument',
          "The template language function 'formatNumber' expects its second parameter to be a string.",
        );
      }
      const locale = args[2];
      if (locale !== undefined && locale !== null && typeof locale !== 'string') {
        throw new ExpressionError(
          'InvalidArgument',
          "The template language function 'formatNumber' expects its third parameter to be a string.",
        );
      }
      return formatNumberValue(input, format, resolveCulture(locale ?? undefined).number);
    },
  },
];
