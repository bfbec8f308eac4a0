/**
 * .NET's round-trip ("R") text of a double, as XmlConvert.ToString(double) writes it inside XML:
 * shortest digits, `E+20` / `E-05` exponent form outside [1e-4, 1e15), and `INF`, `-INF`, `NaN`.
 */
export function xmlDoubleText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'INF';
  if (x === -Infinity) return '-INF';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa = '', exp = '0'] = x.toExponential().split('e');
  const e = Number(exp);
  if (e >= 15 || e < -4) {
    const sign = e < 0 ? '-' : '+';
    return `${mantissa}E${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/[-.]/g, '');
  let text: string;
  if (e < 0) text = `0.${'0'.repeat(-e - 1)}${digits}`;
  else if (digits.length <= e + 1) text = digits + '0'.repeat(e + 1 - digits.length);
  else text = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  return negative ? `-${text}` : text;
}
