// format(): .NET composite formatting as ARM does it: `{index[,alignment][:spec]}`, `{{` and `}}`
// for literal braces, and the common numeric specs (D, N, F, X, P with a precision).
import { ArmError } from './errors.js';
import { toText } from './values.js';

export function formatComposite(template: string, args: readonly unknown[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}|[{}]/g, (match, index, align, spec) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (index === undefined) throw new ArmError('InvalidArmExpression', `format: a lone '${match}' in '${template}'.`);
    const i = Number(index);
    if (i >= args.length)
      throw new ArmError('InvalidArmExpression', `format: '{${i}}' but only ${args.length} value(s) were given.`);
    const text = formatValue(args[i], typeof spec === 'string' ? spec : '');
    const width = align === undefined ? 0 : Number(align);
    return width < 0 ? text.padEnd(-width) : text.padStart(width);
  });
}

function formatValue(value: unknown, spec: string): string {
  if (!spec || typeof value !== 'number') return toText(value);
  const m = /^([DdNnFfXxPp])(\d*)$/.exec(spec);
  if (!m) throw new ArmError('InvalidArmExpression', `format: the specifier '${spec}' is not supported.`);
  const kind = m[1]!.toUpperCase();
  const precision = m[2] ? Number(m[2]) : undefined;
  switch (kind) {
    case 'D': {
      const digits = Math.trunc(Math.abs(value))
        .toString()
        .padStart(precision ?? 0, '0');
      return value < 0 ? `-${digits}` : digits;
    }
    case 'X': {
      const hex = (value < 0 ? BigInt.asUintN(32, BigInt(Math.trunc(value))) : BigInt(Math.trunc(value))).toString(16);
      return (m[1] === 'x' ? hex : hex.toUpperCase()).padStart(precision ?? 0, '0');
    }
    case 'F':
      return value.toFixed(precision ?? 2);
    case 'P':
      return `${(value * 100).toLocaleString('en-US', { minimumFractionDigits: precision ?? 2, maximumFractionDigits: precision ?? 2 })} %`;
    default:
      return value.toLocaleString('en-US', {
        minimumFractionDigits: precision ?? 2,
        maximumFractionDigits: precision ?? 2,
      });
  }
}
