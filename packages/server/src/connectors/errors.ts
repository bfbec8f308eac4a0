/**
 * Errors and warnings of the connector layer as data. Codes come from closed unions; tests assert
 * codes, never messages. A `pointer` is a JSON pointer into the document that was given (the
 * swagger file or apiProperties.json, named by `document`) or into an action's inputs.
 */

export type ConnectorErrorCode =
  // reading and importing
  | 'InvalidJson' // the bytes are not JSON even after the tolerated repairs
  | 'InvalidDocument' // JSON, but not a usable Swagger 2.0 / apiProperties shape at `pointer`
  | 'UnsupportedVersion' // not `swagger: "2.0"` (OpenAPI 3 is not what Power Platform imports)
  | 'UnresolvedReference' // a local $ref whose target does not exist
  | 'UnsupportedReference' // a $ref to another file or URL
  | 'InvalidName' // the given or derived connector name is not usable
  // building requests
  | 'InvalidInputs' // the action's inputs do not have the expected shape
  | 'OperationNotFound'
  | 'MissingRequiredParameters' // `parameters` names every one that is missing
  | 'InvalidParameterValue'
  | 'CustomCodeNotSupported' // the operation runs upstream custom code (script.csx)
  | 'UnsupportedPolicy' // a policy template we do not implement applies to the operation
  | 'InvalidPolicyTemplate' // a policy template instance we implement has unusable parameters
  | 'MissingBaseUrl' // neither the swagger host nor a policy gives the request a host
  | 'NotATrigger'
  | 'NotAWebhookTrigger'
  | 'NotAPollingTrigger'
  // connections
  | 'InvalidConnectionParameters'; // `problems` lists each one

export type ConnectionProblemCode =
  | 'MissingConnectionParameter'
  | 'UnknownConnectionParameter'
  | 'InvalidConnectionParameterType'
  | 'NotAllowedValue'
  | 'UnknownParameterSet'
  | 'ParameterSetRequired'
  | 'UnsupportedConnectionParameter'; // gatewaySetting: on-premises gateways are not supported

export interface ConnectionProblem {
  code: ConnectionProblemCode;
  parameter: string;
  message: string;
}

export interface ConnectorError {
  code: ConnectorErrorCode;
  message: string;
  /** JSON pointer into `document` (import) or into the action's inputs (requests). */
  pointer?: string;
  document?: 'apiDefinition' | 'apiProperties' | 'inputs';
  /** MissingRequiredParameters: the parameter keys as a flow would write them. */
  parameters?: string[];
  /** InvalidConnectionParameters: every problem found. */
  problems?: ConnectionProblem[];
  /** JSON errors: 1-based line and column of the first unusable byte. */
  line?: number;
  column?: number;
}

export type ConnectorWarningCode =
  | 'JsonRepaired' // missing commas, stray characters or trailing content were tolerated
  | 'Latin1Decoded' // the file is not UTF-8; it was read as Latin-1
  | 'CustomCodeNotSupported' // operations that need script.csx; they fail at run time
  | 'UnknownPolicyTemplate'
  | 'UnsupportedPolicyTemplate' // known upstream, not implemented here; affected operations fail
  | 'OperationWithoutId' // kept under a made-up id `<METHOD> <path>`, reachable only by path
  | 'DuplicateOperationId' // the first one wins
  | 'GatewayNotSupported'; // a gatewaySetting connection parameter

export interface ConnectorWarning {
  code: ConnectorWarningCode;
  message: string;
  document?: 'apiDefinition' | 'apiProperties';
  pointer?: string;
  /** Operation ids the warning is about, when it is about some. */
  operations?: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ConnectorError };

export function fail(
  code: ConnectorErrorCode,
  message: string,
  extra: Partial<ConnectorError> = {},
): {
  ok: false;
  error: ConnectorError;
} {
  return { ok: false, error: { code, message, ...extra } };
}

/** RFC 6901: one JSON pointer from path segments. */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** RFC 6901: the segments of a pointer (`''` is the whole document). */
export function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
