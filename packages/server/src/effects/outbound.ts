/**
 * Every request a flow makes to the outside (Http actions, HttpWebhook subscribe/unsubscribe,
 * approval callbacks to linked hosts; connectors and desktop-flow callbacks should reuse it) goes
 * through one outbound client that enforces the outbound policy (outbound-policy.ts):
 *
 * - the host is checked before DNS (host patterns, IP literals), then every address it resolves to,
 *   and the connection is made to one of exactly those checked addresses: the lookup happens in the
 *   socket's own `lookup` hook, so a DNS answer that changes between check and connect (rebinding)
 *   cannot slip past;
 * - redirects are followed here (`redirect: 'manual'`), each hop checked again, with the semantics
 *   fetch gave the Http action before (301/302/303/307/308, at most 20 hops, POST becomes GET on
 *   301/302 and anything but HEAD becomes GET on 303);
 * - a redirect to another origin drops Authorization, Proxy-Authorization, Cookie and the headers
 *   the caller's authentication set.
 *
 * undici (its fetch and an Agent with a custom connect.lookup) loads at the first request.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  checkAddresses,
  checkHost,
  defaultOutboundPolicy,
  type OutboundPolicy,
  type OutboundRefusal,
} from './outbound-policy.js';

export const maxRedirects = 20;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin (as fetch does), plus the caller's credential headers. */
const originBoundHeaders = ['authorization', 'proxy-authorization', 'cookie'];
/** Describe the body; meaningless once a redirect turns the request into a GET without one. */
const bodyHeaders = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

export interface OutboundRequest {
  method: string;
  headers?: Headers | Record<string, string>;
  body?: Uint8Array | string;
  signal?: AbortSignal;
  /** Headers the caller's authentication set: dropped like Authorization on a cross-origin redirect. */
  credentialHeaders?: readonly string[];
  /** Follow redirects (default); false returns the 3xx itself. */
  followRedirects?: boolean;
}

/** Thrown when the policy refuses a host or address; `refusal` is the data (code OutboundDenied). */
export class OutboundDeniedError extends Error {
  readonly code = 'OutboundDenied';
  constructor(readonly refusal: OutboundRefusal) {
    super(refusal.message);
    this.name = 'OutboundDeniedError';
  }
}

/** Thrown when a chain of redirects is longer than maxRedirects or leads out of http(s). */
export class RedirectError extends Error {
  readonly code = 'InvalidRedirect';
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

export interface OutboundClient {
  readonly policy: OutboundPolicy;
  /** One request, policy-checked, following redirects per OutboundRequest. */
  request(url: string | URL, init: OutboundRequest): Promise<Response>;
  /** The same as a fetch function (redirects followed), for code that takes `typeof fetch`. */
  fetch: typeof globalThis.fetch;
}

type Transport = (url: string, init: RequestInit & { redirect: 'manual' }) => Promise<Response>;

export interface OutboundClientOptions {
  /**
   * Sends one request without following redirects. Default: undici's fetch through an Agent whose
   * lookup checks every resolved address. An injected transport (tests) keeps the host and
   * redirect checks but not the per-address one, which needs the connection's own lookup.
   */
  transport?: Transport;
  /** The DNS lookup the guarded connection uses (tests resolve names to chosen addresses). */
  lookup?: typeof dnsLookup;
}

export function createOutboundClient(
  policy: OutboundPolicy = defaultOutboundPolicy,
  options: OutboundClientOptions = {},
): OutboundClient {
  let transport: Promise<Transport> | undefined = options.transport && Promise.resolve(options.transport);
  const send = async (url: string, init: RequestInit & { redirect: 'manual' }): Promise<Response> => {
    transport ??= guardedTransport(policy, options.lookup ?? dnsLookup);
    try {
      return await (
        await transport
      )(url, init);
    } catch (error) {
      const denied = deniedCause(error);
      throw denied ?? error;
    }
  };

  const request = async (url: string | URL, init: OutboundRequest): Promise<Response> => {
    let current = new URL(url);
    let method = init.method.toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    const dropOnNewOrigin = [...originBoundHeaders, ...(init.credentialHeaders ?? []).map((h) => h.toLowerCase())];
    for (let hop = 0; ; hop++) {
      const refusal = checkHost(policy, current.hostname);
      if (refusal) throw new OutboundDeniedError(refusal);
      const response = await send(current.href, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        ...(init.signal ? { signal: init.signal } : {}),
      });
      const location = response.headers.get('location');
      if (init.followRedirects === false || !redirectStatuses.has(response.status) || location === null)
        return response;
      // The redirect's own body is not needed; reading it frees the connection for reuse.
      await response.arrayBuffer().catch(() => undefined);
      if (hop + 1 > maxRedirects) throw new RedirectError(`More than ${maxRedirects} redirects from '${redact(url)}'.`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new RedirectError(`The redirect from '${redact(current)}' has an invalid Location.`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new RedirectError(`The redirect from '${redact(current)}' leads to a ${next.protocol} URL.`);
      const status = response.status;
      if (
        ((status === 301 || status === 302) && method === 'POST') ||
        (status === 303 && method !== 'HEAD' && method !== 'GET')
      ) {
        method = 'GET';
        body = undefined;
        for (const name of bodyHeaders) headers.delete(name);
      }
      if (next.origin !== current.origin) for (const name of dropOnNewOrigin) headers.delete(name);
      current = next;
    }
  };

  const fetchLike = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const bytes = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    return request(req.url, {
      method: req.method,
      headers: req.headers,
      ...(bytes ? { body: bytes } : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
      followRedirects: (init?.redirect ?? req.redirect) !== 'manual',
    });
  };

  return { policy, request, fetch: fetchLike };
}

/** The refusal our lookup raised, wherever fetch wrapped it (TypeError 'fetch failed' → cause). */
function deniedCause(error: unknown): OutboundDeniedError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof OutboundDeniedError) return e;
  return undefined;
}

/**
 * The global fetch with an undici Agent as its dispatcher, whose sockets resolve names through
 * `checkedLookup`: the addresses the policy approved are the ones the socket connects to.
 * IP-literal hosts never reach a lookup; checkHost decided them before the request.
 */
async function guardedTransport(policy: OutboundPolicy, lookup: typeof dnsLookup): Promise<Transport> {
  // undici is CommonJS: Node's ESM loader gives named exports, the bundled bin only `default`.
  const undici = await import('undici');
  const { Agent } = undici.default ?? undici;
  const dispatcher = new Agent({ connect: { lookup: checkedLookup(policy, lookup) } });
  return (url, init) => globalThis.fetch(url, { ...init, dispatcher });
}

export function checkedLookup(policy: OutboundPolicy, lookup: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refusal = checkAddresses(
        policy,
        hostname,
        addresses.map((a) => a.address),
      );
      if (refusal) return callback(new OutboundDeniedError(refusal), '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`No address for '${hostname}'.`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** URLs may carry SAS signatures or secrets in their query: messages show only origin and path. */
export function redact(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return String(url);
  }
}
