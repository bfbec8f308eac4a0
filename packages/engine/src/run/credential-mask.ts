// Credentials in the inputs an action records (run history, as every reader sees it): the
// Authorization / Proxy-Authorization / Cookie headers and the secrets of an `authentication`
// object (Basic password, ClientCertificate pfx and password, ActiveDirectoryOAuth secret, Raw
// value, ApiKey key and value) are replaced by the secured mask. The request itself still carries
// them: only the record is masked. What is secret is a table by action type: adding a type that
// sends requests is one entry.
import { isRecord } from '../json.js';
import { SECURED_VALUE } from '../secured.js';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SECRET_AUTH_FIELDS = new Set(['password', 'secret', 'clientsecret', 'pfx', 'value', 'key', 'token']);

/** Where an action type's inputs hold requests: the inputs themselves, or webhook sub-requests. */
type RequestShape = 'request' | 'webhook';

const SHAPES: Record<string, RequestShape | undefined> = {
  http: 'request',
  workflow: 'request',
  apiconnection: 'request',
  openapiconnection: 'request',
  serviceprovider: 'request',
  function: 'request',
  invokefunction: 'request',
  apimanagement: 'request',
  apiconnectionnotification: 'request',
  httpwebhook: 'webhook',
  apiconnectionwebhook: 'webhook',
  openapiconnectionwebhook: 'webhook',
};

/** The inputs of an action of `type` as recorded: credentials masked, the rest unchanged. */
export function maskCredentials(type: string, inputs: unknown): unknown {
  const shape = shapeOf(type);
  if (!shape || !isRecord(inputs)) return inputs;
  if (shape === 'request') return maskRequest(inputs);
  const out: Record<string, unknown> = { ...inputs };
  for (const [k, v] of Object.entries(inputs)) {
    const lower = k.toLowerCase();
    if ((lower === 'subscribe' || lower === 'unsubscribe') && isRecord(v)) out[k] = maskRequest(v);
  }
  // ApiConnectionWebhook inputs are a request too (host, path, headers, authentication).
  return maskRequest(out);
}

function maskRequest(request: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...request };
  for (const [k, v] of Object.entries(request)) {
    const lower = k.toLowerCase();
    if (lower === 'headers' && isRecord(v)) out[k] = maskHeaders(v);
    else if (lower === 'authentication' && isRecord(v)) out[k] = maskAuthentication(v);
  }
  return out;
}

function maskHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? SECURED_VALUE : v;
  return out;
}

function maskAuthentication(auth: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(auth)) {
    out[k] = SECRET_AUTH_FIELDS.has(k.toLowerCase()) ? SECURED_VALUE : isRecord(v) ? maskAuthentication(v) : v;
  }
  return out;
}

/** Types by their spelling as recorded (few): every record of every run asks. */
const shapeCache = new Map<string, RequestShape | undefined>();
function shapeOf(type: string): RequestShape | undefined {
  if (shapeCache.has(type)) return shapeCache.get(type);
  const shape = Object.hasOwn(SHAPES, type.toLowerCase()) ? SHAPES[type.toLowerCase()] : undefined;
  shapeCache.set(type, shape);
  return shape;
}
