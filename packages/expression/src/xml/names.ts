/**
 * XML 1.0 (fifth edition) name rules, and .NET's XmlConvert.EncodeName / DecodeName: JSON keys
 * that are not XML names become `_xHHHH_` escapes (`ro>ot` → `ro_x003E_ot`) and back.
 */

/** NameStartChar as inclusive code point ranges. */
const nameStartRanges: ReadonlyArray<readonly [number, number]> = [
  [0x3a, 0x3a],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
  [0xc0, 0xd6],
  [0xd8, 0xf6],
  [0xf8, 0x2ff],
  [0x370, 0x37d],
  [0x37f, 0x1fff],
  [0x200c, 0x200d],
  [0x2070, 0x218f],
  [0x2c00, 0x2fef],
  [0x3001, 0xd7ff],
  [0xf900, 0xfdcf],
  [0xfdf0, 0xfffd],
  [0x10000, 0xeffff],
];
/** NameChar beyond NameStartChar. */
const nameExtraRanges: ReadonlyArray<readonly [number, number]> = [
  [0x2d, 0x2e],
  [0x30, 0x39],
  [0xb7, 0xb7],
  [0x300, 0x36f],
  [0x203f, 0x2040],
];

const inRanges = (cp: number, ranges: ReadonlyArray<readonly [number, number]>) =>
  ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
export const isNameStartCode = (cp: number): boolean => inRanges(cp, nameStartRanges);
export const isNameCode = (cp: number): boolean => isNameStartCode(cp) || inRanges(cp, nameExtraRanges);

/** Length (in UTF-16 units) of the XML Name starting at `start`, 0 when there is none. */
export function nameLengthAt(s: string, start: number): number {
  let i = start;
  while (i < s.length) {
    const cp = s.codePointAt(i) as number;
    if (!(i === start ? isNameStartCode(cp) : isNameCode(cp))) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i - start;
}

export function isXmlName(s: string): boolean {
  return s.length > 0 && nameLengthAt(s, 0) === s.length;
}

/** A namespace-aware qualified name: at most one colon, with non-empty parts. */
export function splitQName(name: string): { prefix: string; localName: string } | undefined {
  const i = name.indexOf(':');
  if (i < 0) return { prefix: '', localName: name };
  const prefix = name.slice(0, i);
  const localName = name.slice(i + 1);
  if (prefix === '' || localName === '' || localName.includes(':')) return undefined;
  return { prefix, localName };
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
// An underscore that would otherwise read as the start of an escape is itself escaped.
const escapeLike = /^_[Xx](?:[0-9A-Fa-f]{4}|[0-9A-Fa-f]{8})_/;

/**
 * XmlConvert.EncodeName (`local` false: colons are kept) or EncodeLocalName (`local` true).
 * Characters outside the name classes become `_xHHHH_` (`_xHHHHHHHH_` beyond the BMP).
 */
export function encodeXmlName(name: string, local = false): string {
  let out = '';
  let first = true;
  for (let i = 0; i < name.length;) {
    const cp = name.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    let ok: boolean;
    if (ch === ':') ok = !local;
    // .NET judges names one UTF-16 unit at a time, so characters beyond the BMP are always escaped.
    else ok = cp <= 0xffff && (first ? isNameStartCode(cp) : isNameCode(cp));
    if (ch === '_' && escapeLike.test(name.slice(i - 1))) ok = false;
    out += ok ? ch : cp > 0xffff ? `_x${hex(cp, 8)}_` : `_x${hex(cp, 4)}_`;
    first = false;
  }
  return out;
}

/** XmlConvert.DecodeName: turns `_xHHHH_` / `_xHHHHHHHH_` escapes back into characters. */
export function decodeXmlName(name: string): string {
  if (!name.includes('_')) return name;
  return name.replace(/_[Xx](?:([0-9A-Fa-f]{4})|([0-9A-Fa-f]{8}))_/g, (whole, h4?: string, h8?: string) => {
    const cp = parseInt((h4 ?? h8) as string, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}
