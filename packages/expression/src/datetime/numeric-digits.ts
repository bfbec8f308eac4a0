// The digits of a number for .NET numeric formatting (numeric.ts): a buffer like .NET's
// NumberBuffer, made from the input kind as .NET makes it, and rounded as .NET rounds it.

export type NumberInput =
  | { kind: 'integer'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'decimal'; mantissa: bigint; scale: number };

/** `digits` without leading zeros, `scale` the position of the decimal point (value = 0.digits × 10^scale). */
export interface NumBuf {
  negative: boolean;
  digits: string;
  scale: number;
  floating: boolean;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): { digits: string; scale: number } {
  if (x === 0) return { digits: '', scale: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let scale: number;
  if (exp >= 0) {
    digits = (mantissa << BigInt(exp)).toString();
    scale = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exp)).toString();
    scale = digits.length + exp;
  }
  return { digits: digits.replace(/0+$/, ''), scale };
}

/** Keeps `keep` leading digits, rounding to nearest with ties to even (correct rounding). */
function roundEven(digits: string, scale: number, keep: number): { digits: string; scale: number } {
  if (keep >= digits.length) return { digits, scale };
  if (keep < 0) return { digits: '', scale: 0 };
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  let up = first > 5 || (first === 5 && /[1-9]/.test(rest.slice(1)));
  if (first === 5 && !up && !/[1-9]/.test(rest.slice(1))) {
    const last = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
    up = last % 2 === 1;
  }
  return up ? increment(head, scale) : { digits: head.replace(/0+$/, ''), scale: head === '' ? 0 : scale };
}

/** Adds one unit in the last place of `head`. */
function increment(head: string, scale: number): { digits: string; scale: number } {
  const chars = head.split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') {
    chars[i] = '0';
    i--;
  }
  if (i < 0) return { digits: '1', scale: scale + 1 };
  chars[i] = String.fromCharCode((chars[i] as string).charCodeAt(0) + 1);
  return { digits: chars.join('').slice(0, i + 1), scale };
}

function shortestDigits(x: number): { digits: string; scale: number } {
  if (x === 0) return { digits: '', scale: 0 };
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, e] = x.toExponential().split('e') as [string, string];
  return { digits: mant.replace('.', '').replace(/0+$/, ''), scale: Number(e) + 1 };
}

/** .NET RoundNumber: keep `pos` digits, half away from zero unless already correctly rounded. */
export function roundNumber(n: NumBuf, pos: number, correctlyRounded: boolean): void {
  let i = 0;
  while (i < pos && i < n.digits.length) i++;
  let digits = n.digits.slice(0, i);
  if (i === pos && !correctlyRounded && i < n.digits.length && n.digits.charCodeAt(i) >= 53) {
    const r = increment(digits, n.scale);
    digits = r.digits;
    n.scale = r.scale;
  } else {
    digits = digits.replace(/0+$/, '');
  }
  if (digits === '') {
    // int64 and decimal have no negative zero; doubles keep theirs ("-0.00").
    if (!n.floating) n.negative = false;
    n.scale = 0;
  }
  n.digits = digits;
}

type DoubleMode = { shortest: true } | { significant: number } | { fraction: number };

export function bufferOf(input: NumberInput, mode: DoubleMode): NumBuf {
  if (input.kind === 'integer') {
    const negative = input.value < 0n;
    const digits = (negative ? -input.value : input.value).toString().replace(/^0+/, '');
    return { negative, digits, scale: digits.length, floating: false };
  }
  if (input.kind === 'decimal') {
    const negative = input.mantissa < 0n;
    const raw = (negative ? -input.mantissa : input.mantissa).toString().replace(/^0+/, '');
    return { negative, digits: raw, scale: raw.length - input.scale, floating: false };
  }
  const x = input.value;
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let r: { digits: string; scale: number };
  if ('shortest' in mode) r = shortestDigits(abs);
  else {
    const exact = exactDigits(abs);
    const keep = 'significant' in mode ? mode.significant : exact.scale + mode.fraction;
    r = roundEven(exact.digits, exact.scale, keep);
  }
  return { negative, digits: r.digits, scale: r.digits === '' ? 0 : r.scale, floating: true };
}
