/**
 * The outbound policy: which hosts and addresses flows may send requests to (SSRF protection).
 * `FLOWBRIDGE_OUTBOUND_DENY` and `FLOWBRIDGE_OUTBOUND_ALLOW` hold comma-separated CIDRs, IPs and
 * host patterns (`*.corp.example`); the built-in deny list (cloud metadata, link-local) always
 * applies. Deny wins over allow; a non-empty allow list is a whitelist. Pure: the DNS lookup and
 * the connection are in outbound.ts, which asks this module about every resolved address.
 */
import { isIP } from 'node:net';

export type OutboundRuleSource = 'built-in' | 'FLOWBRIDGE_OUTBOUND_DENY' | 'FLOWBRIDGE_OUTBOUND_ALLOW';

type Matcher =
  | { kind: 'cidr'; bytes: Uint8Array; prefix: number }
  | { kind: 'host'; exact: string }
  | { kind: 'subdomains'; of: string }
  | { kind: 'anyHost' };

export interface OutboundRule {
  /** The entry as written (or the built-in entry), shown in refusals. */
  text: string;
  source: OutboundRuleSource;
  /** Why a built-in entry is there. */
  note?: string;
  matcher: Matcher;
}

export interface OutboundPolicy {
  deny: readonly OutboundRule[];
  allow: readonly OutboundRule[];
}

/** Why a request may not go out: the host, the address that was refused (if any) and the rule. */
export interface OutboundRefusal {
  code: 'OutboundDenied';
  host: string;
  address?: string;
  /** The deny rule that matched, or `allow list` when a whitelist names neither host nor address. */
  rule: string;
  source: OutboundRuleSource;
  message: string;
}

export interface OutboundPolicyError {
  code: 'InvalidConfig';
  message: string;
  target: 'FLOWBRIDGE_OUTBOUND_DENY' | 'FLOWBRIDGE_OUTBOUND_ALLOW';
}

/**
 * Always denied. The specific metadata endpoints come first so a refusal names them rather than
 * the link-local range that also holds 169.254.169.254. Adding an endpoint = one entry.
 */
const BUILT_IN_DENY: ReadonlyArray<{ text: string; note: string }> = [
  { text: '169.254.169.254', note: 'cloud metadata (AWS, Azure, GCP, OCI)' },
  { text: 'fd00:ec2::254', note: 'cloud metadata (AWS IPv6)' },
  { text: '100.100.100.200', note: 'cloud metadata (Alibaba)' },
  { text: 'metadata.google.internal', note: 'cloud metadata (GCP)' },
  { text: '169.254.0.0/16', note: 'IPv4 link-local' },
  { text: 'fe80::/10', note: 'IPv6 link-local' },
];

const builtIn: OutboundRule[] = BUILT_IN_DENY.map(({ text, note }) => {
  const matcher = parseEntry(text);
  if (typeof matcher === 'string') throw new Error(`built-in outbound rule '${text}': ${matcher}`);
  return { text, source: 'built-in', note, matcher };
});

/** The policy with only the built-in deny list (what runs when nothing is configured). */
export const defaultOutboundPolicy: OutboundPolicy = { deny: builtIn, allow: [] };

/** Builds the policy from the two variables' values; a malformed entry is an InvalidConfig error. */
export function createOutboundPolicy(
  values: { deny?: string; allow?: string } = {},
): { policy: OutboundPolicy } | { error: OutboundPolicyError } {
  const deny = parseList(values.deny, 'FLOWBRIDGE_OUTBOUND_DENY');
  if ('error' in deny) return deny;
  const allow = parseList(values.allow, 'FLOWBRIDGE_OUTBOUND_ALLOW');
  if ('error' in allow) return allow;
  return { policy: { deny: [...builtIn, ...deny.rules], allow: allow.rules } };
}

function parseList(
  text: string | undefined,
  source: 'FLOWBRIDGE_OUTBOUND_DENY' | 'FLOWBRIDGE_OUTBOUND_ALLOW',
): { rules: OutboundRule[] } | { error: OutboundPolicyError } {
  const rules: OutboundRule[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const matcher = parseEntry(entry);
    if (typeof matcher === 'string')
      return { error: { code: 'InvalidConfig', message: `${source}: '${entry}' ${matcher}.`, target: source } };
    rules.push({ text: entry, source, matcher });
  }
  return { rules };
}

/** One entry: an IP, a CIDR, `*`, `*.domain` or a host name. Returns why it is malformed otherwise. */
function parseEntry(entry: string): Matcher | string {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const bytes = parseRawAddress(entry.slice(0, slash));
    const prefixText = entry.slice(slash + 1);
    if (!bytes) return 'is not a CIDR (the part before / must be an IPv4 or IPv6 address)';
    const max = bytes.length * 8;
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) return `has a prefix length outside 0-${max}`;
    return cidr(bytes, prefix);
  }
  const bytes = parseAddress(entry);
  if (bytes) return cidr(bytes, bytes.length * 8);
  if (entry === '*') return { kind: 'anyHost' };
  const host = normalizeHost(entry);
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name))
    return 'is neither an IP address, a CIDR nor a host pattern (a name, or *.name for its subdomains)';
  return wildcard ? { kind: 'subdomains', of: name } : { kind: 'host', exact: name };
}

/** An IPv4-mapped IPv6 rule (::ffff:a.b.c.d/n, n >= 96) is the IPv4 rule, as addresses are mapped too. */
function cidr(bytes: Uint8Array, prefix: number): Matcher {
  if (bytes.length === 16 && prefix >= 96 && isMapped(bytes))
    return { kind: 'cidr', bytes: bytes.slice(12), prefix: prefix - 96 };
  return { kind: 'cidr', bytes, prefix };
}

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/**
 * Before DNS: refuses a host that a deny pattern names, and decides an IP-literal host completely
 * (no lookup happens for it). Returns undefined when the request may proceed to resolution.
 */
export function checkHost(policy: OutboundPolicy, host: string): OutboundRefusal | undefined {
  const name = normalizeHost(host);
  if (parseAddress(name)) return checkAddresses(policy, host, [name]);
  const denied = policy.deny.find((rule) => hostMatches(rule.matcher, name));
  if (denied) return refusal(host, undefined, denied);
  return undefined;
}

/**
 * After DNS: every address the name resolved to must pass, since the connection may use any of
 * them. Deny wins; with an allow list, the host must match a host pattern or every address a CIDR.
 */
export function checkAddresses(
  policy: OutboundPolicy,
  host: string,
  addresses: readonly string[],
): OutboundRefusal | undefined {
  const name = normalizeHost(host);
  const parsed: Array<{ text: string; bytes: Uint8Array }> = [];
  for (const text of addresses) {
    const bytes = parseAddress(text);
    if (!bytes) return notAllowed(host, text, 'an address that could not be read');
    parsed.push({ text, bytes });
  }
  for (const rule of policy.deny) {
    if (hostMatches(rule.matcher, name)) return refusal(host, undefined, rule);
    const hit = parsed.find((a) => addressMatches(rule.matcher, a.bytes));
    if (hit) return refusal(host, hit.text, rule);
  }
  if (policy.allow.length === 0) return undefined;
  if (policy.allow.some((rule) => hostMatches(rule.matcher, name))) return undefined;
  const outside = parsed.find((a) => !policy.allow.some((rule) => addressMatches(rule.matcher, a.bytes)));
  if (outside || parsed.length === 0) return notAllowed(host, outside?.text, 'the allow list');
  return undefined;
}

function refusal(host: string, address: string | undefined, rule: OutboundRule): OutboundRefusal {
  const what = address && address !== normalizeHost(host) ? `host '${host}' (address ${address})` : `'${host}'`;
  const origin = rule.source === 'built-in' ? `built-in deny list${rule.note ? `: ${rule.note}` : ''}` : rule.source;
  return {
    code: 'OutboundDenied',
    host,
    ...(address ? { address } : {}),
    rule: rule.text,
    source: rule.source,
    message: `Outbound requests to ${what} are denied by rule '${rule.text}' (${origin}).`,
  };
}

function notAllowed(host: string, address: string | undefined, why: string): OutboundRefusal {
  const what = address && address !== normalizeHost(host) ? `host '${host}' (address ${address})` : `'${host}'`;
  return {
    code: 'OutboundDenied',
    host,
    ...(address ? { address } : {}),
    rule: 'allow list',
    source: 'FLOWBRIDGE_OUTBOUND_ALLOW',
    message: `Outbound requests to ${what} are not allowed: ${why === 'the allow list' ? 'FLOWBRIDGE_OUTBOUND_ALLOW names neither the host nor the address' : why}.`,
  };
}

function hostMatches(matcher: Matcher, name: string): boolean {
  switch (matcher.kind) {
    case 'host':
      return name === matcher.exact;
    case 'subdomains':
      return name.endsWith(`.${matcher.of}`);
    case 'anyHost':
      return true;
    case 'cidr':
      return false;
  }
}

function addressMatches(matcher: Matcher, bytes: Uint8Array): boolean {
  if (matcher.kind === 'anyHost') return true;
  if (matcher.kind !== 'cidr' || matcher.bytes.length !== bytes.length) return false;
  const whole = Math.floor(matcher.prefix / 8);
  for (let i = 0; i < whole; i++) if (bytes[i] !== matcher.bytes[i]) return false;
  const rest = matcher.prefix % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] ?? 0) & mask) === ((matcher.bytes[whole] ?? 0) & mask);
}

/**
 * An address as 4 bytes (IPv4, and IPv4-mapped IPv6 such as ::ffff:169.254.169.254, which
 * reaches the IPv4 host) or 16 bytes (IPv6; a zone suffix %eth0 is ignored). Undefined otherwise.
 */
export function parseAddress(text: string): Uint8Array | undefined {
  const bytes = parseRawAddress(text);
  return bytes && bytes.length === 16 && isMapped(bytes) ? bytes.slice(12) : bytes;
}

function parseRawAddress(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  const family = isIP(t);
  if (family === 4) return Uint8Array.from(t.split('.').map(Number));
  if (family !== 6) return undefined;
  return parseIPv6(t);
}

function isMapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Text already checked by net.isIP: groups, one `::`, an optional dotted IPv4 tail. */
function parseIPv6(text: string): Uint8Array {
  const words: number[] = [];
  const toWords = (part: string): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(group, 16));
    }
    return out;
  };
  const gap = text.indexOf('::');
  if (gap >= 0) {
    const head = toWords(text.slice(0, gap));
    const tail = toWords(text.slice(gap + 2));
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else words.push(...toWords(text));
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
}
