// The two hashing functions of ARM templates, bit-compatible with Azure so that names a template
// derives (uniqueString(resourceGroup().id), guid(...)) come out as they would in a deployment.
import { createHash } from 'node:crypto';

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number): number => Math.imul(a, b) >>> 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = mul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The 64-bit MurmurHash variant ARM uses: two 32-bit lanes over 8-byte blocks (the x86 Murmur3
 * block mixes of lanes 1 and 2), finalised together. Checked against values Azure produced.
 */
export function murmurHash64(data: Uint8Array): bigint {
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const read = (at: number, count: number): number => {
    let v = 0;
    for (let j = 0; j < count; j++) v |= data[at + j]! << (8 * j);
    return v >>> 0;
  };
  let h1 = 0;
  let h2 = 0;
  const lane1 = (k: number): void => {
    h1 = (h1 ^ mul(rotl(mul(k, c1), 15), c2)) >>> 0;
  };
  const lane2 = (k: number): void => {
    h2 = (h2 ^ mul(rotl(mul(k, c2), 17), c1)) >>> 0;
  };
  const length = data.length;
  let i = 0;
  for (; i + 7 < length; i += 8) {
    lane1(read(i, 4));
    h1 = (mul((rotl(h1, 19) + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    lane2(read(i + 4, 4));
    h2 = (mul((rotl(h2, 13) + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const tail = length - i;
  if (tail > 0) {
    lane1(read(i, Math.min(tail, 4)));
    if (tail > 4) lane2(read(i + 4, tail - 4));
  }
  h1 = (h1 ^ length) >>> 0;
  h2 = (h2 ^ length) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** uniqueString(a, b, ...): the arguments joined with '-', hashed, 13 base-32 characters (top bits first). */
export function uniqueString(parts: readonly string[]): string {
  let value = murmurHash64(new TextEncoder().encode(parts.join('-')));
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += base32[Number(value >> 59n)];
    value = (value << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

/** guid(a, b, ...): a name-based (version 5, SHA-1) UUID of the arguments joined with '-' in ARM's namespace. */
export function armGuid(parts: readonly string[]): string {
  const namespace = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');
  const digest = createHash('sha1').update(namespace).update(parts.join('-'), 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
