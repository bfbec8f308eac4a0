/**
 * The HTTP API's one error dialect: `{error: {code, message, target?, details?}}`, with a code from
 * the closed union below and the status that code stands for. The core routes, auth and approvals
 * all throw ApiError; http/error-handler.ts maps everything else (host, store and fastify's own errors)
 * onto it. (The OAuth token endpoint alone answers in RFC 6749's form, see auth/routes-oauth.ts.)
 */

export type ApiErrorCode =
  /** 401: no credentials, or credentials we do not accept (sent with WWW-Authenticate: Bearer). */
  | 'Unauthorized'
  /** 403: authenticated, but the caller's role does not allow it. */
  | 'Forbidden'
  /** 404: no such flow, run, user, client, approval or route. */
  | 'NotFound'
  /** 404: the flow has no trigger of that name. */
  | 'TriggerNotFound'
  /** 400: the body, query or a parameter is malformed; `target` names the field. */
  | 'InvalidRequest'
  /** 400: a JSON body nests deeper than the route accepts (README "Limits"). */
  | 'NestingTooDeep'
  /** 400: a trigger URL without `api-version` (as Logic Apps answers). */
  | 'MissingApiVersionParameter'
  /** 400: a trigger URL with an `api-version` we do not know (as Logic Apps answers). */
  | 'InvalidApiVersionParameter'
  /** 400: the workflow definition does not validate; `details` lists every definition error. */
  | 'InvalidDefinition'
  /** 400: a trigger expression (e.g. its conditions) fails to evaluate on the request. */
  | 'InvalidTemplate'
  /** 400: the trigger's splitOn does not select an array of the request. */
  | 'InvalidSplitOn'
  /** 400: the body does not match the trigger's schema; `details` lists the errors. */
  | 'SchemaValidationFailed'
  /** 400: an approval response that is not one of the approval's options. */
  | 'InvalidResponse'
  /** 403: the approval does not allow reassignment. */
  | 'ReassignmentDisabled'
  /** 405: the trigger URL does not accept this method. */
  | 'MethodNotAllowed'
  /** 400: a connector's files cannot be imported, or a connection's values do not fit its connector. */
  | 'InvalidConnector'
  /**
   * 400: a template's connection reference is not given a connection, names no connection in the
   * environment, or one of another connector; `target` is `/connectionReferences/<ref>`.
   */
  | 'InvalidConnectionReference'
  /** 409: a duplicate (email, id), a stale expectedVersion, a state that forbids the operation. */
  | 'Conflict'
  /** 409: the flow cannot be turned on: `details` lists each connection reference that does not resolve. */
  | 'ConnectionReferencesMissing'
  /** 502: a connector trigger's subscribe request failed (the flow stays off; `details` says why). */
  | 'TriggerSubscriptionFailed'
  /** 409: the flow is disabled, its triggers start no runs. */
  | 'WorkflowDisabled'
  /** 409: automation is switched off for the organisation or the flow's owner. */
  | 'AutomationBlocked'
  /** 409: the approval has ended. */
  | 'AlreadyCompleted'
  /** 409: the caller has already responded to the approval. */
  | 'AlreadyResponded'
  /** 413: the body is larger than the server accepts. */
  | 'RequestTooLarge'
  /** 429: the flow is called more often than allowed, or its waiting-runs queue is full. */
  | 'TooManyRequests'
  /** 500: a bug; the details are in the server log, not in the answer. */
  | 'InternalError'
  /** 502: the run ended without running its Response action. */
  | 'NoResponse'
  /** 503: the store is unreachable, or the server is stopping. */
  | 'ServiceUnavailable'
  /** 504: the run did not reach its Response action in time (it goes on). */
  | 'ResponseTimeout';

/** The status each code answers with. */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  TriggerNotFound: 404,
  InvalidRequest: 400,
  NestingTooDeep: 400,
  MissingApiVersionParameter: 400,
  InvalidApiVersionParameter: 400,
  InvalidDefinition: 400,
  InvalidTemplate: 400,
  InvalidSplitOn: 400,
  SchemaValidationFailed: 400,
  InvalidResponse: 400,
  ReassignmentDisabled: 403,
  MethodNotAllowed: 405,
  InvalidConnector: 400,
  InvalidConnectionReference: 400,
  Conflict: 409,
  ConnectionReferencesMissing: 409,
  TriggerSubscriptionFailed: 502,
  WorkflowDisabled: 409,
  AutomationBlocked: 409,
  AlreadyCompleted: 409,
  AlreadyResponded: 409,
  RequestTooLarge: 413,
  TooManyRequests: 429,
  InternalError: 500,
  NoResponse: 502,
  ServiceUnavailable: 503,
  ResponseTimeout: 504,
};

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  /** The field, JSON pointer or id the error is about. */
  target?: string;
  /** More about the error, e.g. every definition error of InvalidDefinition. */
  details?: unknown;
}

export class ApiError extends Error {
  /**
   * `statusCode` is the code's status (API_ERROR_STATUS) except where a framework error keeps its
   * own (a 415 is InvalidRequest); `ApiError.of` takes it from the table.
   */
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly target?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The error `code` stands for, with its status. */
  static of(code: ApiErrorCode, message: string, target?: string, details?: unknown): ApiError {
    return new ApiError(API_ERROR_STATUS[code], code, message, target, details);
  }

  toData(): ApiErrorData {
    return errorBody(this.code, this.message, this.target, this.details).error;
  }
}

export function errorBody(
  code: ApiErrorCode,
  message: string,
  target?: string,
  details?: unknown,
): { error: ApiErrorData } {
  return {
    error: {
      code,
      message,
      ...(target !== undefined ? { target } : {}),
      ...(details !== undefined ? { details } : {}),
    },
  };
}

/**
 * How a feature whose routes follow another API's error shape (the Dataverse-compatible routes of
 * desktop flows) answers its own errors: the one error handler asks each renderer first; undefined
 * means "not mine".
 */
export type ErrorRenderer = (
  error: unknown,
  request: { url: string },
) => { status: number; body: unknown; headers?: Record<string, string> } | undefined;
