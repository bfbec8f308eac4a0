/**
 * The normalized connector: what import makes of a custom connector's swagger + apiProperties,
 * and all that request building, triggers and connections need. Plain JSON data (storable as is);
 * schemas keep the swagger's own JSON Schema with local $refs resolved (see refs.ts).
 */
import type { ConnectorWarning } from './errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

export type ParameterLocation = 'path' | 'query' | 'header' | 'body' | 'formData';

/** A JSON Schema object as the swagger writes it (Swagger 2.0 dialect plus x-ms-* keys). */
export type Schema = Record<string, unknown>;

export interface OperationParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  type?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  /** Swagger collectionFormat for arrays in query/header/path/formData (csv when absent). */
  collectionFormat?: string;
  items?: Schema;
  /** x-ms-url-encoding: how a path value is escaped (single when absent). */
  urlEncoding?: 'single' | 'double';
  /** x-ms-visibility, lower-cased: important | advanced | internal. */
  visibility?: string;
  summary?: string;
  description?: string;
  /** The body parameter's schema. */
  schema?: Schema;
  /** x-ms-notification-url on the parameter itself (the corpus only marks body properties). */
  notificationUrl?: boolean;
}

export interface OperationResponse {
  description?: string;
  schema?: Schema;
  headers?: Record<string, unknown>;
}

export type TriggerKind = 'webhook' | 'polling';

/** Where a webhook trigger's subscribe request carries the callback URL. */
export interface NotificationUrlLocation {
  in: ParameterLocation;
  /** The parameter's name. */
  name: string;
  /** For a body parameter: the property path inside the body (empty: the body itself). */
  path: string[];
}

export interface PollingPolicy {
  /** State names → templates over the last response (`@{triggerBody().x}`), sent as query parameters. */
  triggerConfig: Record<string, string>;
  /** Where the items are in a response (`@triggerBody().results`); absent: the body. */
  triggerDataPath?: string;
}

export interface TriggerInfo {
  kind: TriggerKind;
  /** x-ms-trigger: single = one run per callback or poll; batch = one run per item. */
  cardinality: 'single' | 'batch';
  notificationUrl?: NotificationUrlLocation;
  /** x-ms-notification-content of the path item: what the service posts to the callback. */
  notificationContent?: { description?: string; schema?: Schema };
  hint?: string;
  /** Polling through the pollingtrigger policy template. */
  pollingPolicy?: PollingPolicy;
}

export interface Operation {
  /** Unique in the connector. Made up as `<METHOD> <path>` when the swagger has none (a warning says so). */
  operationId: string;
  method: HttpMethod;
  /** The swagger path, relative to basePath, with `{name}` placeholders. */
  path: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  visibility?: string;
  /** Path-item parameters merged in, the operation's own winning (Swagger 2.0 rule). */
  parameters: OperationParameter[];
  consumes: string[];
  produces: string[];
  /** By status code as written (`200`, `default`). */
  responses: Record<string, OperationResponse>;
  trigger?: TriggerInfo;
  /** Upstream runs custom code (script.csx) for it: request building refuses it. */
  customCode: boolean;
  /** JSON pointer of the operation in the swagger. */
  pointer: string;
}

export type SecurityDefinition =
  | { type: 'apiKey'; in: 'header' | 'query'; name: string }
  | { type: 'basic' }
  | {
      type: 'oauth2';
      flow?: string;
      authorizationUrl?: string;
      tokenUrl?: string;
      scopes?: Record<string, string>;
    }
  | { type: 'unknown'; declaredType: string };

/** Canonical connection parameter types (upstream case varies: `oAuthSetting`). */
export type ConnectionParameterType =
  | 'string'
  | 'securestring'
  | 'secureobject'
  | 'bool'
  | 'int'
  | 'object'
  | 'array'
  | 'oauthSetting'
  | 'gatewaySetting'
  | 'clientCertificate';

export interface OAuthSettings {
  identityProvider: string;
  clientId?: string;
  /** Upstream writes placeholders here (`[[DUMMY]]`); a real secret comes with the connection. */
  clientSecret?: string;
  scopes: string[];
  redirectMode?: string;
  redirectUrl?: string;
  /** customParameters flattened to their `value`, keys as written (authorizationUrl, tokenUrl, loginUri...). */
  customParameters: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export interface ConnectionParameter {
  name: string;
  type: ConnectionParameterType;
  /** As written upstream, when it is not one of ours (kept so nothing is lost). */
  declaredType?: string;
  required: boolean;
  defaultValue?: unknown;
  /** uiDefinition.constraints.allowedValues, reduced to their values. */
  allowedValues?: unknown[];
  hidden?: boolean;
  /** uiDefinition.constraints.clearText === false: a UI masks it; we keep it secret too. */
  masked?: boolean;
  displayName?: string;
  description?: string;
  oAuthSettings?: OAuthSettings;
}

export interface ConnectionParameterSet {
  name: string;
  displayName?: string;
  description?: string;
  parameters: Record<string, ConnectionParameter>;
}

/** How far we go with a policy template (policies.ts holds the table). */
export type PolicySupport = 'implemented' | 'ignored' | 'unsupported' | 'unknown';

export interface PolicyInstance {
  /** Lower-cased: upstream writes setHeader, SetProperty, dynamicHostUrl... */
  templateId: string;
  title?: string;
  /** The operation ids it applies to; `all` when the list is absent or empty. */
  operations: string[] | 'all';
  section: 'request' | 'response';
  /** Template inputs with the `x-ms-apimTemplateParameter.` prefix dropped. */
  parameters: Record<string, unknown>;
  support: PolicySupport;
  pointer: string;
}

export interface Connector {
  name: string;
  apiId: string;
  title: string;
  description?: string;
  version?: string;
  schemes: string[];
  /** As written, may carry a port; absent when the swagger has none (a policy must give it). */
  host?: string;
  basePath: string;
  consumes: string[];
  produces: string[];
  operations: Operation[];
  securityDefinitions: Record<string, SecurityDefinition>;
  /** The swagger's `security`: alternatives, each naming the definitions that apply together. */
  security: string[][];
  connectionParameters: Record<string, ConnectionParameter>;
  connectionParameterSets?: { displayName?: string; description?: string; values: ConnectionParameterSet[] };
  policies: PolicyInstance[];
  /** apiProperties.properties.capabilities (`actions`, `triggers`, ...). */
  capabilities: string[];
  /** x-ms-capabilities.testConnection at the document root. */
  testConnection?: { operationId: string; parameters?: Record<string, unknown> };
  warnings: ConnectorWarning[];
}
