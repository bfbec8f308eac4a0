/**
 * The host's options → a Power Platform custom connector (Swagger 2.0 + x-ms-* extensions, and
 * apiProperties.json), the files `flowbridge connectors import` and `POST /api/v1/connectors` take.
 * Each trigger is a webhook trigger: `POST /webhooks/<operationId>` with the trigger's parameters in
 * the query and the flow's callback URL in a body property marked x-ms-notification-url; the answer
 * is 201 + Location, and `DELETE <Location>` (the internal DeleteSubscription operation) ends it.
 */
import { ConnectorHostError, type ConnectorFiles, type ConnectorHostOptions, type ParameterSchema } from './types.js';

/** Paths of the kit itself, relative to the base URL. */
export const ROUTES = {
  apiDefinition: '/apiDefinition.swagger.json',
  apiProperties: '/apiProperties.json',
  webhooks: '/webhooks',
} as const;

/** The operation that ends a subscription (the Location of a subscribe answer). */
export const UNSUBSCRIBE_OPERATION = 'DeleteSubscription';
/** The body property of a subscribe request that carries the flow's callback URL. */
export const CALLBACK_PROPERTY = 'callbackUrl';
/** The connection parameter that holds the API key (Power Platform's convention). */
export const API_KEY_PARAMETER = 'api_key';

export interface BaseAddress {
  origin: string;
  host: string;
  /** '' for the root, else `/prefix` without a trailing slash. */
  basePath: string;
  scheme: 'http' | 'https';
}

export function parseBaseUrl(baseUrl: string): BaseAddress {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConnectorHostError('InvalidOptions', `baseUrl '${baseUrl}' is not an absolute URL.`, 'baseUrl');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
    throw new ConnectorHostError(
      'InvalidOptions',
      `baseUrl '${baseUrl}' must be an http(s) URL without query, fragment or credentials.`,
      'baseUrl',
    );
  return {
    origin: url.origin,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
    scheme: url.protocol === 'https:' ? 'https' : 'http',
  };
}

/** The path parameters a template names: `/records/{table}/{id}` → table, id. */
export function pathNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

/** Swagger's parameter object for a scalar parameter. */
function parameterObject(name: string, where: string, schema: ParameterSchema): Record<string, unknown> {
  const { summary, required, ...rest } = schema;
  return {
    name,
    in: where,
    required: where === 'path' ? true : required === true,
    type: rest.type ?? 'string',
    ...rest,
    'x-ms-summary': summary ?? name,
  };
}

export function connectorFiles(options: ConnectorHostOptions): ConnectorFiles {
  const base = parseBaseUrl(options.baseUrl);
  const paths: Record<string, Record<string, unknown>> = {};

  for (const [operationId, trigger] of Object.entries(options.triggers ?? {})) {
    const content = trigger.batch ? { type: 'array', items: trigger.payload } : trigger.payload;
    const instant = trigger.instant
      ? {
          'x-ms-trigger-hint': `Run from ${options.title} on a record you choose.`,
          'x-flowbridge-instant': true,
        }
      : {};
    paths[`${ROUTES.webhooks}/${operationId}`] = {
      'x-ms-notification-content': {
        description: trigger.batch ? 'The events, as an array' : 'The event',
        schema: content,
      },
      post: {
        operationId,
        summary: trigger.summary,
        description: instant['x-ms-trigger-hint']
          ? `${trigger.description ?? trigger.summary} (instant: runs on a record chosen in ${options.title})`
          : (trigger.description ?? trigger.summary),
        'x-ms-trigger': trigger.batch ? 'batch' : 'single',
        ...instant,
        parameters: [
          ...Object.entries(trigger.parameters ?? {}).map(([name, schema]) => parameterObject(name, 'query', schema)),
          {
            name: 'body',
            in: 'body',
            required: true,
            schema: {
              type: 'object',
              required: [CALLBACK_PROPERTY],
              properties: {
                [CALLBACK_PROPERTY]: {
                  type: 'string',
                  description: 'The flow URL the events are posted to',
                  'x-ms-notification-url': true,
                  'x-ms-visibility': 'internal',
                  'x-ms-summary': 'Callback URL',
                },
              },
            },
          },
        ],
        responses: {
          '201': { description: 'Subscribed', headers: { Location: { type: 'string' } } },
        },
      },
    };
  }

  if (Object.keys(options.triggers ?? {}).length > 0)
    paths[`${ROUTES.webhooks}/{operationId}/{subscriptionId}`] = {
      delete: {
        operationId: UNSUBSCRIBE_OPERATION,
        summary: 'Ends a trigger subscription',
        'x-ms-visibility': 'internal',
        parameters: [
          parameterObject('operationId', 'path', { 'x-ms-visibility': 'internal' }),
          parameterObject('subscriptionId', 'path', { 'x-ms-visibility': 'internal' }),
        ],
        responses: { '204': { description: 'Unsubscribed' }, '404': { description: 'No such subscription' } },
      },
    };

  for (const [operationId, action] of Object.entries(options.actions ?? {})) {
    const declared = action.parameters ?? {};
    const inPath = new Set(pathNames(action.path));
    const parameters: Record<string, unknown>[] = [...inPath].map((name) =>
      parameterObject(name, 'path', declared[name] ?? {}),
    );
    for (const [name, schema] of Object.entries(declared)) {
      if (inPath.has(name)) continue;
      const { in: where = 'query', ...rest } = schema;
      parameters.push(parameterObject(name, where, rest));
    }
    if (action.requestBody) parameters.push({ name: 'body', in: 'body', required: true, schema: action.requestBody });
    const operation = {
      operationId,
      summary: action.summary,
      'x-ms-summary': action.summary,
      description: action.description ?? action.summary,
      parameters,
      responses: {
        '200': { description: 'OK', ...(action.response ? { schema: action.response } : {}) },
        default: { description: 'An error: {error: {code, message, parameter?}}' },
      },
    };
    const item = paths[action.path] ?? (paths[action.path] = {});
    item[action.method.toLowerCase()] = operation;
  }

  const apiDefinition: Record<string, unknown> = {
    swagger: '2.0',
    info: {
      title: options.title,
      description: options.description ?? `Flows started from ${options.title}'s events, and its actions.`,
      version: options.version ?? '1.0',
    },
    host: base.host,
    basePath: base.basePath === '' ? '/' : base.basePath,
    schemes: [base.scheme],
    consumes: ['application/json'],
    produces: ['application/json'],
    securityDefinitions: {
      [API_KEY_PARAMETER]: { type: 'apiKey', in: 'header', name: options.auth.header },
    },
    security: [{ [API_KEY_PARAMETER]: [] }],
    paths,
  };
  const apiProperties: Record<string, unknown> = {
    properties: {
      connectionParameters: {
        [API_KEY_PARAMETER]: {
          type: 'securestring',
          uiDefinition: {
            displayName: options.auth.label ?? 'API key',
            description: `The API key ${options.title} gave for Flowbridge`,
            tooltip: `Sent in the ${options.auth.header} header`,
            constraints: { required: 'true', clearText: false, tabIndex: 2 },
          },
        },
      },
      capabilities: [],
      publisher: options.title,
    },
  };
  return { apiDefinition, apiProperties };
}
