/**
 * createConnectorHost's options are checked once, at creation: a mistake there (a duplicate
 * operationId, an action on the kit's own paths, a parameter of an unknown type) would otherwise
 * surface as a connector that does not import or a request that cannot route.
 */
import { parseBaseUrl, pathNames, ROUTES, UNSUBSCRIBE_OPERATION, type BaseAddress } from './document.js';
import { ConnectorHostError, type ConnectorHostOptions, type ParameterSchema } from './types.js';

const OPERATION_ID = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const PARAMETER = /^[A-Za-z_][A-Za-z0-9_.-]{0,79}$/;
const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

const invalid = (message: string, at: string): ConnectorHostError =>
  new ConnectorHostError('InvalidOptions', message, at);

function checkParameter(name: string, schema: ParameterSchema, at: string): void {
  if (!PARAMETER.test(name) || name === 'body') throw invalid(`'${name}' is not a usable parameter name.`, at);
  if (schema.type !== undefined && !SCALARS.has(schema.type))
    throw invalid(`Parameter '${name}' must be a string, number, integer or boolean.`, `${at}/type`);
}

export function checkOptions(options: ConnectorHostOptions): BaseAddress {
  if (typeof options.title !== 'string' || options.title.trim() === '') throw invalid('A title is required.', 'title');
  const base = parseBaseUrl(options.baseUrl);
  const auth = options.auth as { type?: unknown; header?: unknown; verify?: unknown } | undefined;
  if (auth?.type !== 'apiKey' || typeof auth.header !== 'string' || typeof auth.verify !== 'function')
    throw invalid("auth must be {type: 'apiKey', header, verify(key)}.", 'auth');
  if (!/^[A-Za-z0-9-]+$/.test(auth.header)) throw invalid(`'${auth.header}' is not a header name.`, 'auth/header');

  const seen = new Set<string>([UNSUBSCRIBE_OPERATION]);
  const claim = (operationId: string, at: string): void => {
    if (!OPERATION_ID.test(operationId)) throw invalid(`'${operationId}' is not a usable operationId.`, at);
    if (seen.has(operationId)) throw invalid(`operationId '${operationId}' is used twice (or reserved).`, at);
    seen.add(operationId);
  };
  for (const [operationId, trigger] of Object.entries(options.triggers ?? {})) {
    const at = `triggers/${operationId}`;
    claim(operationId, at);
    if (!trigger.summary) throw invalid(`Trigger '${operationId}' needs a summary.`, `${at}/summary`);
    if (typeof trigger.payload !== 'object' || trigger.payload === null)
      throw invalid(`Trigger '${operationId}' needs a payload schema.`, `${at}/payload`);
    for (const [name, schema] of Object.entries(trigger.parameters ?? {}))
      checkParameter(name, schema, `${at}/parameters/${name}`);
  }

  const routes = new Set<string>();
  for (const [operationId, action] of Object.entries(options.actions ?? {})) {
    const at = `actions/${operationId}`;
    claim(operationId, at);
    if (!action.summary) throw invalid(`Action '${operationId}' needs a summary.`, `${at}/summary`);
    if (typeof action.handler !== 'function')
      throw invalid(`Action '${operationId}' needs a handler.`, `${at}/handler`);
    if (!METHODS.has(action.method)) throw invalid(`Action '${operationId}': unknown method.`, `${at}/method`);
    if (!/^\/[^?#]*$/.test(action.path))
      throw invalid(`Action '${operationId}': the path must start with /.`, `${at}/path`);
    const own = Object.values(ROUTES).some((r) => action.path === r || action.path.startsWith(`${ROUTES.webhooks}/`));
    if (own) throw invalid(`Action '${operationId}': ${action.path} is the kit's own path.`, `${at}/path`);
    const shape = `${action.method} ${action.path.replace(/\{[^}]+\}/g, '{}')}`;
    if (routes.has(shape)) throw invalid(`Two actions answer ${shape}.`, `${at}/path`);
    routes.add(shape);
    const names = pathNames(action.path);
    for (const name of names) checkParameter(name, action.parameters?.[name] ?? {}, `${at}/parameters/${name}`);
    for (const [name, schema] of Object.entries(action.parameters ?? {})) {
      checkParameter(name, schema, `${at}/parameters/${name}`);
      if (schema.in === 'path' && !names.includes(name))
        throw invalid(`Parameter '${name}' is in the path, which does not name it.`, `${at}/parameters/${name}`);
    }
  }
  return base;
}
