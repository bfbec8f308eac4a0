/**
 * Policy templates (apiProperties policyTemplateInstances, spec §14.5) as a table: supporting
 * another template is one entry. `request` runs while the request is built, after the parameters
 * and the credentials (so `@headers('Authorization')` sees the API key, as APIM does); `response`
 * reshapes what the service answered. Instances apply in the order the file lists them.
 */
import { fail, type ConnectorError, type Result } from './errors.js';
import { getHeader, getQuery, setPair, type ExistsAction, type RequestDraft } from './draft.js';
import type { PolicyInstance, PolicySupport } from './model.js';
import { evaluateTemplate, interpolate, parsePathTemplate, walkPath, type PolicyScope } from './policy-expr.js';
import { isRecord } from './values.js';

/** A response as policies see it. */
export interface ConnectorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

type Apply<T> = (target: T, parameters: Record<string, unknown>, scope: PolicyScope) => Result<void> | undefined;

interface PolicyTemplate {
  support: PolicySupport;
  request?: Apply<RequestDraft>;
  response?: Apply<ConnectorResponse>;
}

const ok = undefined;

const dynamicHostUrl: Apply<RequestDraft> = (draft, parameters, scope) => {
  const template = parameters.urlTemplate;
  if (typeof template !== 'string') return invalid('dynamichosturl needs urlTemplate.');
  let url = interpolate(template, scope).trim().replace(/\/+$/, '');
  // A template whose host comes from a connection parameter the connection lacks.
  if (url === '' || url.startsWith('/') || /:\/\/(?:[./]|$)/.test(url))
    return fail('MissingBaseUrl', `dynamichosturl '${template}' gives no host (is a connection parameter missing?).`);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
  // `https://site/` + `/wp-json/...`: a parameter typed with a trailing slash must not double it.
  draft.baseUrl = url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i,
    (_, scheme: string, rest: string) => scheme + rest.replace(/\/{2,}/g, '/'),
  );
  return ok;
};

const setHeader: Apply<RequestDraft> = (draft, parameters, scope) => {
  if (typeof parameters.name !== 'string') return invalid('setheader needs name.');
  setPair(draft.headers, parameters.name, valueText(parameters.value, scope), existsAction(parameters.existsAction));
  return ok;
};

const setQueryParameter: Apply<RequestDraft> = (draft, parameters, scope) => {
  if (typeof parameters.name !== 'string') return invalid('setqueryparameter needs name.');
  setPair(draft.query, parameters.name, valueText(parameters.value, scope), existsAction(parameters.existsAction));
  return ok;
};

/**
 * `newPath` replaces the operation's path (the base URL stays, unless `backendUrl` is given);
 * `{name}` takes the operation's path value, or a query value (which then leaves the query, as
 * APIM's rewrite-uri consumes matched parameters). A `?a=b` in newPath adds query parameters.
 */
const routeRequest: Apply<RequestDraft> = (draft, parameters, scope) => {
  if (typeof parameters.newPath !== 'string') return invalid('routerequesttoendpoint needs newPath.');
  let path = interpolate(parameters.newPath, scope).replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const fromPath = draft.pathValues[name];
    if (fromPath !== undefined) return fromPath;
    const fromQuery = getQuery(draft, name);
    if (fromQuery === undefined) return whole;
    setPair(draft.query, name, '');
    return encodeURIComponent(fromQuery);
  });
  const q = path.indexOf('?');
  if (q >= 0) {
    for (const pair of path
      .slice(q + 1)
      .split('&')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      setPair(draft.query, name, eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1)));
    }
    path = path.slice(0, q);
  }
  draft.path = path.startsWith('/') || path === '' ? path : `/${path}`;
  if (typeof parameters.backendUrl === 'string' && parameters.backendUrl.trim() !== '')
    draft.baseUrl = interpolate(parameters.backendUrl, scope).trim().replace(/\/+$/, '');
  const method = parameters.httpMethod;
  if (typeof method === 'string' && method.trim() !== '') {
    const evaluated = interpolate(method, scope).trim();
    if (evaluated !== '') draft.method = evaluated.toUpperCase();
  }
  return ok;
};

const setRequestProperty: Apply<RequestDraft> = (draft, parameters, scope) => {
  if (draft.body === undefined) draft.body = {};
  return setProperty(draft.body, parameters, { ...scope, body: draft.body });
};

const setResponseHeader: Apply<ConnectorResponse> = (response, parameters, scope) => {
  if (typeof parameters.name !== 'string') return invalid('setheader needs name.');
  const pairs = Object.entries(response.headers);
  setPair(pairs, parameters.name, valueText(parameters.value, scope), existsAction(parameters.existsAction));
  response.headers = Object.fromEntries(pairs);
  return ok;
};

const setResponseProperty: Apply<ConnectorResponse> = (response, parameters, scope) =>
  setProperty(response.body, parameters, { ...scope, body: response.body });

export const POLICY_TEMPLATES: Record<string, PolicyTemplate> = {
  dynamichosturl: { support: 'implemented', request: dynamicHostUrl },
  dynamicsubdomain: { support: 'implemented', request: dynamicHostUrl },
  setheader: { support: 'implemented', request: setHeader, response: setResponseHeader },
  setqueryparameter: { support: 'implemented', request: setQueryParameter },
  routerequesttoendpoint: { support: 'implemented', request: routeRequest },
  setproperty: { support: 'implemented', request: setRequestProperty, response: setResponseProperty },
  // Applied by the polling functions (polling.ts), not while a request is built.
  pollingtrigger: { support: 'implemented' },
  // Harmless to skip: paging links stay the service's own; connection status is ours to track.
  updatenextlink: { support: 'ignored' },
  setconnectionstatustounauthenticated: { support: 'ignored' },
  // Known upstream, not implemented: the operations they apply to fail with UnsupportedPolicy.
  setvaluefromurl: { support: 'unsupported' },
  convertobjecttoarray: { support: 'unsupported' },
  convertarraytoobject: { support: 'unsupported' },
  stringtoarray: { support: 'unsupported' },
  stringreplace: { support: 'unsupported' },
  encodepropertyvalue: { support: 'unsupported' },
  moveproperties: { support: 'unsupported' },
};

export function policySupport(templateId: string): PolicySupport {
  return POLICY_TEMPLATES[templateId.toLowerCase()]?.support ?? 'unknown';
}

export function appliesTo(policy: PolicyInstance, operationId: string | undefined): boolean {
  return policy.operations === 'all' || (operationId !== undefined && policy.operations.includes(operationId));
}

/** The first policy for this operation that we cannot honour, if any. */
export function blockingPolicy(policies: readonly PolicyInstance[], operationId: string): PolicyInstance | undefined {
  return policies.find((p) => appliesTo(p, operationId) && (p.support === 'unsupported' || p.support === 'unknown'));
}

export function applyRequestPolicies(
  draft: RequestDraft,
  policies: readonly PolicyInstance[],
  scope: PolicyScope,
): Result<void> {
  for (const policy of policies) {
    if (policy.section !== 'request' || !appliesTo(policy, draft.operationId)) continue;
    const apply = POLICY_TEMPLATES[policy.templateId]?.request;
    if (!apply) continue;
    const result = apply(draft, policy.parameters, {
      ...scope,
      header: (name) => getHeader(draft, name),
      queryParameter: (name) => getQuery(draft, name),
      method: draft.method,
      body: draft.body,
    });
    if (result && !result.ok) return withPointer(result, policy);
  }
  return { ok: true, value: undefined };
}

/** Response-section policies (setheader, setproperty) for one operation; changes `response`. */
export function applyResponsePolicies(
  response: ConnectorResponse,
  operationId: string,
  policies: readonly PolicyInstance[],
  scope: PolicyScope,
): Result<void> {
  for (const policy of policies) {
    if (policy.section !== 'response' || !appliesTo(policy, operationId)) continue;
    const apply = POLICY_TEMPLATES[policy.templateId]?.response;
    if (!apply) continue;
    const result = apply(response, policy.parameters, {
      ...scope,
      header: (name) => Object.entries(response.headers).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
      body: response.body,
    });
    if (result && !result.ok) return withPointer(result, policy);
  }
  return { ok: true, value: undefined };
}

/**
 * setproperty: `newPropertyParentPathTemplate` (`@body()`, `@body().gifts`) names the object to
 * change, or an array whose items all change (with `@item()` = each item);
 * `newPropertySubPathTemplate` the property (`version`, `['@odata.type']`);
 * `propertyValuePathTemplate` the value: a literal, JSON text, or a template whose `{@...}`
 * parts are filled in; JSON text is parsed, so `[{@body().gifts}]` becomes an array.
 */
function setProperty(body: unknown, parameters: Record<string, unknown>, scope: PolicyScope): Result<void> | undefined {
  const parentTemplate = parameters.newPropertyParentPathTemplate;
  const sub = parameters.newPropertySubPathTemplate;
  const valueTemplate = parameters.propertyValuePathTemplate;
  if (typeof parentTemplate !== 'string' || typeof sub !== 'string' || valueTemplate === undefined)
    return invalid(
      'setproperty needs newPropertyParentPathTemplate, newPropertySubPathTemplate and propertyValuePathTemplate.',
    );
  const parentPath = parsePathTemplate(parentTemplate);
  if (!parentPath || parentPath.root !== 'body') return invalid(`setproperty: '${parentTemplate}' is not a body path.`);
  const parent = walkPath(body, parentPath.accessors);
  const quoted = /^\[\s*'((?:[^']|'')*)'\s*\]$/.exec(sub.trim());
  const name = quoted ? quoted[1]!.replace(/''/g, "'") : sub.trim();
  const targets = Array.isArray(parent) ? parent : [parent];
  for (const target of targets) {
    if (!isRecord(target)) continue;
    target[name] = propertyValue(valueTemplate, { ...scope, body, item: target });
  }
  return ok;
}

function propertyValue(template: unknown, scope: PolicyScope): unknown {
  if (typeof template !== 'string') return template;
  const evaluated = evaluateTemplate(template, scope);
  if (typeof evaluated !== 'string') return evaluated;
  const text = evaluated.trim();
  if (/^[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return evaluated;
    }
  }
  // `'{@item()['id']}-{@item()['reference']}'`: the quotes mark a string, they are not part of it.
  const quoted = /^'(.*)'$/s.exec(text);
  return quoted && template.includes('{@') ? quoted[1] : evaluated;
}

function valueText(value: unknown, scope: PolicyScope): string {
  if (value === undefined || value === null) return '';
  return interpolate(typeof value === 'string' ? value : JSON.stringify(value), scope);
}

function existsAction(value: unknown): ExistsAction {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  return lower === 'skip' || lower === 'append' ? lower : 'override';
}

function invalid(message: string): Result<void> {
  return fail('InvalidPolicyTemplate', message);
}

function withPointer(result: { ok: false; error: ConnectorError }, policy: PolicyInstance) {
  return {
    ok: false as const,
    error: { ...result.error, document: 'apiProperties' as const, pointer: policy.pointer },
  };
}
