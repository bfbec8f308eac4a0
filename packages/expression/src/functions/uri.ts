import { ExpressionError } from '../errors.js';
import type { Value } from '../values.js';
import type { AnyFunctionDef, FunctionDef } from './types.js';

/**
 * uriHost, uriPath, uriPathAndQuery, uriPort, uriQuery, uriScheme (spec §9.10): the parts of an
 * absolute URI as .NET's System.Uri reports them. The WHATWG URL parser agrees with System.Uri on
 * the forms workflows use (lower-cased scheme and host, `/` for an empty path, dot segments
 * removed, percent-encoded path and query, `?` kept on the query); ports it leaves implicit are
 * filled in from System.Uri's scheme defaults. A relative or malformed URI is an error.
 */

/** System.Uri's default ports; other schemes without an explicit port report -1. */
const defaultPorts: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  ftp: 21,
  gopher: 70,
  nntp: 119,
  news: 119,
  telnet: 23,
  ldap: 389,
  mailto: 25,
  'net.tcp': 808,
};

function parseUri(name: string, value: Value): URL {
  if (typeof value !== 'string')
    throw new ExpressionError(
      'InvalidArgument',
      `The template function '${name}' expects its parameter to be a string.`,
    );
  try {
    return new URL(value);
  } catch {
    throw new ExpressionError(
      'InvalidArgument',
      `The template function '${name}' was given '${value}', which is not a valid absolute URI.`,
    );
  }
}

function uriFunction(name: string, part: (url: URL) => Value): FunctionDef {
  return { name, minArgs: 1, maxArgs: 1, impl: (args) => part(parseUri(name, args[0] ?? null)) };
}

const scheme = (url: URL) => url.protocol.slice(0, -1);
// Non-special schemes (mailto:, urn:) may have an opaque path without a leading slash.
const path = (url: URL) => url.pathname || '/';

export const uriFunctions: AnyFunctionDef[] = [
  uriFunction('uriHost', (url) => url.hostname),
  uriFunction('uriPath', path),
  uriFunction('uriPathAndQuery', (url) => path(url) + url.search),
  uriFunction('uriPort', (url) => (url.port !== '' ? Number(url.port) : (defaultPorts[scheme(url)] ?? -1))),
  uriFunction('uriQuery', (url) => url.search),
  uriFunction('uriScheme', scheme),
];
