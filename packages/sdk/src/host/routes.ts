/**
 * The host's web-standard handler: the two connector files (open to anyone, as Power Platform's
 * are), then the API key, then subscribe (`POST /webhooks/<trigger>` → 201 + Location),
 * unsubscribe (`DELETE <Location>` → 204, unknown → 404) and the actions. Errors are JSON:
 * `{error: {code, message, parameter?}}` with the codes of HttpErrorCode.
 */
import { ROUTES, CALLBACK_PROPERTY, pathNames, type BaseAddress } from './document.js';
import { checkValue, fromText } from './schema.js';
import type {
  ActionOptions,
  ActionResult,
  ConnectorFiles,
  ConnectorHostOptions,
  HttpErrorCode,
  Subscription,
  SubscriptionStore,
} from './types.js';

export interface RouteDeps {
  options: ConnectorHostOptions;
  base: BaseAddress;
  files: ConnectorFiles;
  store: SubscriptionStore;
  now: () => number;
  newId: () => string;
}

const STATUS: Record<HttpErrorCode, number> = {
  Unauthorized: 401,
  NotFound: 404,
  MethodNotAllowed: 405,
  PayloadTooLarge: 413,
  MissingParameter: 400,
  InvalidParameter: 400,
  InvalidBody: 400,
  ActionFailed: 500,
  InternalError: 500,
};

export function errorResponse(code: HttpErrorCode, message: string, parameter?: string): Response {
  return Response.json(
    { error: { code, message, ...(parameter !== undefined ? { parameter } : {}) } },
    {
      status: STATUS[code],
    },
  );
}

/** Thrown inside the handler, answered as its JSON error. */
class Refusal extends Error {
  constructor(readonly response: Response) {
    super('refused');
  }
}
const refuse = (code: HttpErrorCode, message: string, parameter?: string): Refusal =>
  new Refusal(errorResponse(code, message, parameter));

interface CompiledAction {
  operationId: string;
  action: ActionOptions;
  pattern: RegExp;
  names: string[];
}

/** A path segment as text; bad percent-encoding is the caller's mistake, not the host's. */
function decode(segment: string, parameter: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refuse('InvalidParameter', `'${segment}' is not valid percent-encoding.`, parameter);
  }
}

/** Routes in matching order: fewer placeholders first, so `/records/search` wins over `/records/{table}`. */
function compile(actions: Record<string, ActionOptions>): CompiledAction[] {
  const compiled = Object.entries(actions).map(([operationId, action]) => {
    const names = pathNames(action.path);
    const source = action.path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('([^/]+)');
    return { operationId, action, pattern: new RegExp(`^${source}/?$`), names };
  });
  return compiled.sort((a, b) => a.names.length - b.names.length);
}

export function createHandler(deps: RouteDeps): (request: Request) => Promise<Response> {
  const actions = compile(deps.options.actions ?? {});
  const { auth } = deps.options;
  return async (request) => {
    try {
      const url = new URL(request.url);
      const { basePath } = deps.base;
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))
        return errorResponse('NotFound', `${url.pathname} is not served here.`);
      const path = url.pathname.slice(basePath.length) || '/';
      if (request.method === 'GET' && path === ROUTES.apiDefinition) return Response.json(deps.files.apiDefinition);
      if (request.method === 'GET' && path === ROUTES.apiProperties) return Response.json(deps.files.apiProperties);

      const key = request.headers.get(auth.header);
      if (!key || !(await auth.verify(key, request)))
        return errorResponse('Unauthorized', `A valid API key is required in the ${auth.header} header.`);

      const hook = /^\/webhooks\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
      if (hook) {
        const operationId = decode(hook[1]!, 'operationId');
        const id = hook[2] === undefined ? undefined : decode(hook[2], 'subscriptionId');
        if (id === undefined)
          return request.method === 'POST'
            ? await subscribe(deps, operationId, request, url)
            : errorResponse('MethodNotAllowed', 'Subscribe with POST.');
        return request.method === 'DELETE'
          ? await unsubscribe(deps.store, operationId, id)
          : errorResponse('MethodNotAllowed', 'Unsubscribe with DELETE.');
      }

      const matched = actions.map((a) => ({ a, m: a.pattern.exec(path) })).filter((x) => x.m !== null);
      const exact = matched.find((x) => x.a.action.method === request.method);
      if (exact) return await runAction(exact.a, exact.m!, request, url);
      if (matched.length > 0)
        return errorResponse(
          'MethodNotAllowed',
          `${path} accepts ${matched.map((x) => x.a.action.method).join(', ')}.`,
        );
      return errorResponse('NotFound', `No operation at ${request.method} ${path}.`);
    } catch (error) {
      if (error instanceof Refusal) return error.response;
      throw error;
    }
  };
}

/** Bodies beyond this are refused (413) before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

async function readJson(request: Request, where: string): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw refuse('PayloadTooLarge', `The body is over ${MAX_BODY_BYTES} bytes.`, where);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES)
    throw refuse('PayloadTooLarge', `The body is over ${MAX_BODY_BYTES} bytes.`, where);
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw refuse('InvalidBody', 'The body is not valid JSON.', where);
  }
}

async function subscribe(deps: RouteDeps, operationId: string, request: Request, url: URL): Promise<Response> {
  const trigger = deps.options.triggers?.[operationId];
  if (!trigger) return errorResponse('NotFound', `There is no trigger '${operationId}'.`);
  const body = await readJson(request, 'body');
  const callback =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CALLBACK_PROPERTY] : undefined;
  if (callback === undefined || callback === '')
    throw refuse('MissingParameter', `The body needs ${CALLBACK_PROPERTY}.`, `body/${CALLBACK_PROPERTY}`);
  if (typeof callback !== 'string' || !/^https?:\/\//i.test(callback) || !URL.canParse(callback))
    throw refuse('InvalidParameter', `${CALLBACK_PROPERTY} must be an http(s) URL.`, `body/${CALLBACK_PROPERTY}`);

  const parameters: Subscription['parameters'] = {};
  for (const [name, schema] of Object.entries(trigger.parameters ?? {})) {
    const text = url.searchParams.get(name);
    if (text === null || text === '') {
      if (schema.required) throw refuse('MissingParameter', `Parameter '${name}' is required.`, name);
      continue;
    }
    const converted = fromText(text, schema);
    if (!converted.ok) throw refuse('InvalidParameter', `Parameter '${name}': ${converted.message}.`, name);
    parameters[name] = converted.value;
  }
  const subscription: Subscription = {
    id: deps.newId(),
    operationId,
    flowId: request.headers.get('x-ms-workflow-id'),
    flowName: request.headers.get('x-ms-workflow-name'),
    parameters,
    callbackUrl: callback,
    createdAt: new Date(deps.now()).toISOString(),
  };
  await deps.store.add(subscription);
  const location = `${deps.base.origin}${deps.base.basePath}${ROUTES.webhooks}/${encodeURIComponent(operationId)}/${encodeURIComponent(subscription.id)}`;
  return Response.json(
    { id: subscription.id, operationId, parameters, createdAt: subscription.createdAt },
    { status: 201, headers: { location } },
  );
}

async function unsubscribe(store: SubscriptionStore, operationId: string, id: string): Promise<Response> {
  const found = await store.get(id);
  if (!found || found.operationId !== operationId || !(await store.remove(id)))
    return errorResponse('NotFound', `There is no subscription '${id}'.`);
  return new Response(null, { status: 204 });
}

async function runAction(compiled: CompiledAction, match: RegExpExecArray, request: Request, url: URL) {
  const { action } = compiled;
  const declared = action.parameters ?? {};
  const params: Record<string, unknown> = {};
  const texts = new Map<string, string | null>();
  compiled.names.forEach((name, i) => texts.set(name, decode(match[i + 1]!, name)));
  for (const [name, schema] of Object.entries(declared)) {
    if (texts.has(name)) continue;
    texts.set(name, schema.in === 'header' ? request.headers.get(name) : url.searchParams.get(name));
  }
  for (const [name, text] of texts) {
    const schema = declared[name] ?? {};
    if (text === null || text === '') {
      if (schema.default !== undefined) params[name] = schema.default;
      else if (schema.required) throw refuse('MissingParameter', `Parameter '${name}' is required.`, name);
      continue;
    }
    const converted = fromText(text, schema);
    if (!converted.ok) throw refuse('InvalidParameter', `Parameter '${name}': ${converted.message}.`, name);
    params[name] = converted.value;
  }
  const body = request.method === 'GET' ? undefined : await readJson(request, 'body');
  if (action.requestBody) {
    if (body === undefined) throw refuse('MissingParameter', 'The request needs a JSON body.', 'body');
    const problem = checkValue(body, action.requestBody);
    if (problem)
      throw refuse('InvalidParameter', `body${problem.pointer}: ${problem.message}.`, `body${problem.pointer}`);
  }
  let result: unknown;
  try {
    result = await action.handler({ params, headers: request.headers, body, request });
  } catch (error) {
    if (error instanceof Refusal) throw error;
    return errorResponse('ActionFailed', `The action '${compiled.operationId}' failed.`);
  }
  return answer(result);
}

function isResult(value: unknown): value is ActionResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const status = (value as { status?: unknown }).status;
  return (
    typeof status === 'number' &&
    Number.isInteger(status) &&
    status >= 200 &&
    status <= 599 &&
    Object.keys(value).every((k) => k === 'status' || k === 'headers' || k === 'body')
  );
}

function answer(result: unknown): Response {
  const { status, headers = {}, body } = isResult(result) ? result : { status: 200, body: result };
  if (body === undefined || status === 204 || status === 304)
    return new Response(null, { status: body === undefined && status === 200 ? 204 : status, headers });
  const typed = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (typeof body === 'string' && typed) return new Response(body, { status, headers });
  return Response.json(body, { status, headers });
}
