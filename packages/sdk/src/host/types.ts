/**
 * The host kit's vocabulary: what createConnectorHost is given (triggers, actions, auth, store),
 * what it keeps (subscriptions) and what it answers (delivery outcomes, coded errors).
 */

/** The JSON Schema subset the kit generates from and checks input against (schema.ts). */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
  title?: string;
  description?: string;
  format?: string;
  enum?: readonly unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  /** Any other keyword (x-ms-summary, x-ms-visibility, ...) is copied into the document as is. */
  [keyword: string]: unknown;
}

/** A trigger or action parameter: a scalar with its label (swagger's parameter object, simplified). */
export interface ParameterSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean';
  /** The label the flow designer shows (x-ms-summary); default: the name. */
  summary?: string;
  description?: string;
  format?: string;
  enum?: readonly (string | number | boolean)[];
  default?: string | number | boolean;
  /** A flow must give it (a trigger parameter left out otherwise matches every value). */
  required?: boolean;
  /** Copied into the document as is (x-ms-visibility, x-ms-dynamic-values, ...). */
  [extension: `x-${string}`]: unknown;
}

export interface TriggerOptions {
  summary: string;
  description?: string;
  /** Filters a flow chooses when it subscribes (e.g. `table`, `event`): sent as query parameters. */
  parameters?: Record<string, ParameterSchema>;
  /** The schema of what emit() sends (one event; a batch trigger sends an array of them). */
  payload: JsonSchema;
  /** `x-ms-trigger: batch`: emit() delivers an array, the server starts one run per item. */
  batch?: boolean;
  /** Runs on a record the user chooses in the host ("For a selected record"): emit() names the flow. */
  instant?: boolean;
}

export interface ActionParameterSchema extends ParameterSchema {
  /** Where the value comes from; default: `path` when the path template names it, else `query`. */
  in?: 'path' | 'query' | 'header';
}

export interface ActionInput {
  /** Path, query and header parameters, converted to their declared types. */
  params: Record<string, unknown>;
  headers: Headers;
  /** The parsed JSON body (undefined when none was sent). */
  body: unknown;
  request: Request;
}

export interface ActionResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ActionOptions {
  summary: string;
  description?: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, with `{name}` for path parameters: `/records/{table}/{id}`. */
  path: string;
  parameters?: Record<string, ActionParameterSchema>;
  requestBody?: JsonSchema;
  /** The schema of a successful answer (dynamic content in the flow designer). */
  response?: JsonSchema;
  /**
   * Returns the body of a 200 answer, or `{status, headers?, body}` (an object with a numeric
   * `status` and no keys besides those three) for another answer.
   */
  handler: (input: ActionInput) => unknown;
}

export interface ApiKeyAuth {
  type: 'apiKey';
  /** The header that carries the key (e.g. `x-api-key`). */
  header: string;
  verify: (key: string, request: Request) => boolean | Promise<boolean>;
  /** What a connection form shows for the key; default "API key". */
  label?: string;
}

export type HostAuth = ApiKeyAuth;

export interface RetryOptions {
  /** Tries in all, the first included (default 5). */
  attempts?: number;
  /** The first delay; doubled on each retry (default 1000 ms). */
  baseDelayMs?: number;
  /** No delay is longer, Retry-After included (default 300 000 ms). */
  maxDelayMs?: number;
  /** Waits between tries (tests inject one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
}

export interface Subscription {
  id: string;
  operationId: string;
  /** From the subscribe request's `x-ms-workflow-id` / `x-ms-workflow-name` headers. */
  flowId: string | null;
  flowName: string | null;
  /** The trigger parameters the flow chose; one it left out matches every value. */
  parameters: Record<string, string | number | boolean>;
  /** The flow's signed callback URL: a credential, kept only by the store. */
  callbackUrl: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface SubscriptionStore {
  add(subscription: Subscription): Promise<void>;
  get(id: string): Promise<Subscription | undefined>;
  /** True when it was there. */
  remove(id: string): Promise<boolean>;
  list(operationId?: string): Promise<Subscription[]>;
  /**
   * Where deliveries not yet settled are kept (sqliteStore has one; memoryStore none): emit()
   * writes them before the first try, so that a host that stops or crashes while a delivery waits
   * for its next try sends it from resumeDeliveries() when it is back.
   */
  deliveries?: DeliveryJournal;
  close?(): Promise<void>;
}

/** One event to one subscription, not delivered, gone or failed for good yet. */
export interface PendingDelivery {
  /** `<eventId>/<subscriptionId>`. */
  id: string;
  eventId: string;
  subscriptionId: string;
  operationId: string;
  /** The JSON body, as sent on every try. */
  body: string;
  /** Tries made so far. */
  attempts: number;
  /** Epoch ms of the emit(). */
  createdAt: number;
}

export interface DeliveryJournal {
  /** Before the first try. */
  add(deliveries: PendingDelivery[]): Promise<void>;
  /** A try failed and another is due. */
  tried(id: string, attempts: number): Promise<void>;
  /** Delivered, gone or failed for good: forgotten. */
  settle(id: string): Promise<void>;
  /** Oldest first. */
  pending(): Promise<PendingDelivery[]>;
}

export interface EmitOptions {
  /**
   * Only subscriptions whose parameters agree with these: each value a subscription chose must be
   * given here and equal (one it left out matches every value). With flowId or subscriptionId and
   * no parameters, the target alone decides.
   */
  parameters?: Record<string, string | number | boolean>;
  /** Only the subscription(s) of this flow (an instant trigger needs this or subscriptionId). */
  flowId?: string;
  subscriptionId?: string;
  /** Sent as `x-flowbridge-event-id` (default: a random UUID); the same on every retry. */
  eventId?: string;
}

export interface DeliveryOutcome {
  subscriptionId: string;
  flowId: string | null;
  flowName: string | null;
  status: 'delivered' | 'failed' | 'gone';
  attempts: number;
  httpStatus?: number;
  error?: string;
}

export interface ConnectorHostOptions {
  title: string;
  description?: string;
  version?: string;
  /** Where the host serves the kit, as Flowbridge reaches it: `https://crm.example.com/flowbridge`. */
  baseUrl: string;
  auth: HostAuth;
  triggers?: Record<string, TriggerOptions>;
  actions?: Record<string, ActionOptions>;
  /** Where subscriptions are kept (default: memory; sqliteStore(path) survives restarts). */
  store?: SubscriptionStore;
  retry?: RetryOptions;
  /** The fetch emit() delivers with (default: the global one). */
  fetch?: typeof fetch;
  /** Signs deliveries: `x-flowbridge-signature: sha256=HMAC(secret, "<x-flowbridge-timestamp>.<body>")`. */
  signingSecret?: string;
  /** Epoch ms (tests). */
  now?: () => number;
}

export interface ConnectorFiles {
  apiDefinition: Record<string, unknown>;
  apiProperties: Record<string, unknown>;
}

export type HostErrorCode =
  'InvalidOptions' | 'UnknownTrigger' | 'TargetRequired' | 'InvalidParameters' | 'InvalidPayload' | 'StoreUnavailable';

/** A mistake in how the kit is called (bad options, an unknown trigger): thrown, with a code. */
export class ConnectorHostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly at?: string,
  ) {
    super(message);
    this.name = 'ConnectorHostError';
  }
}

/** The codes of the JSON errors the handler answers with: `{error: {code, message, parameter?}}`. */
export type HttpErrorCode =
  | 'Unauthorized'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'MissingParameter'
  | 'InvalidParameter'
  | 'InvalidBody'
  | 'ActionFailed'
  | 'InternalError';
