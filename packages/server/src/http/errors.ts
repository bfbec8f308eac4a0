/**
 * API errors: `{error: {code, message, target?}}` with 4xx/5xx statuses. Store and host errors
 * map to their HTTP meaning here, in one place.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreError } from '../store/index.js';
import { HostError } from '../host/errors.js';

export type ApiErrorCode =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'TriggerNotFound'
  | 'InvalidRequest'
  | 'InvalidDefinition'
  | 'InvalidTemplate'
  | 'InvalidSplitOn'
  | 'SchemaValidationFailed'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'WorkflowDisabled'
  | 'AutomationBlocked'
  | 'RequestTooLarge'
  | 'TooManyRequests'
  | 'NoResponse'
  | 'ResponseTimeout'
  | 'ServiceUnavailable'
  | 'InternalError';

export class ApiError extends Error {
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
}

export function errorBody(
  code: ApiErrorCode,
  message: string,
  target?: string,
  details?: unknown,
): { error: { code: ApiErrorCode; message: string; target?: string; details?: unknown } } {
  return {
    error: {
      code,
      message,
      ...(target !== undefined ? { target } : {}),
      ...(details !== undefined ? { details } : {}),
    },
  };
}

/** Maps anything thrown by a route to the API's error shape. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let status = 500;
  let code: ApiErrorCode = 'InternalError';
  let message = 'The server failed to handle the request.';
  let target: string | undefined;
  let details: unknown;
  if (error instanceof ApiError) {
    ({ statusCode: status, code, message, target, details } = error);
  } else if (error instanceof HostError) {
    message = error.message;
    target = error.target;
    if (error.code === 'NotFound') [status, code] = [404, 'NotFound'];
    else if (error.code === 'TriggerNotFound') [status, code] = [404, 'TriggerNotFound'];
    else if (error.code === 'Stopping') [status, code] = [503, 'ServiceUnavailable'];
    else if (error.code === 'TooManyRuns') [status, code] = [429, 'TooManyRequests'];
    else if (error.code === 'InvalidTemplate' || error.code === 'InvalidSplitOn') [status, code] = [400, error.code];
    else [status, code] = [409, 'Conflict'];
  } else if (isStoreError(error)) {
    message = error.message;
    const c = (error as { code: string }).code;
    if (c === 'NotFound') [status, code] = [404, 'NotFound'];
    else if (c === 'Conflict') [status, code] = [409, 'Conflict'];
    else if (c === 'InvalidArgument') [status, code] = [400, 'InvalidRequest'];
    else [status, code] = [503, 'ServiceUnavailable'];
  } else {
    const fe = error as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') [status, code, message] = [413, 'RequestTooLarge', fe.message];
    else if (fe.validation || (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)) {
      status = fe.statusCode ?? 400;
      code = status === 415 || status === 400 ? 'InvalidRequest' : status === 404 ? 'NotFound' : 'InvalidRequest';
      message = fe.message;
    }
  }
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(status).send(errorBody(code, message, target, details));
}
