/**
 * The server's one error handler: whatever a route throws (ApiError, a host or store error,
 * fastify's own errors about the request) answers in the API's dialect (errors.ts). Every route
 * of the app, auth's and the extensions' included, falls back to it; tests that mount a module's
 * routes on a bare fastify install it there too.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { HostError, type HostErrorCode } from '../host/errors.js';
import { isStoreError, type StoreErrorCode } from '../store/index.js';
import { ApiError, type ApiErrorCode, type ApiErrorData, type ErrorRenderer } from '../util/api-errors.js';

/** What a host error means to a caller; any other host code is a Conflict. */
const HOST_CODES: Partial<Record<HostErrorCode, ApiErrorCode>> = {
  NotFound: 'NotFound',
  TriggerNotFound: 'TriggerNotFound',
  Stopping: 'ServiceUnavailable',
  TooManyRuns: 'TooManyRequests',
  InvalidTemplate: 'InvalidTemplate',
  InvalidSplitOn: 'InvalidSplitOn',
};

/** What a store error means to a caller; any other store code is the store failing (503). */
const STORE_CODES: Partial<Record<StoreErrorCode, ApiErrorCode>> = {
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  InvalidArgument: 'InvalidRequest',
};

/**
 * fastify's errors about the request body, by fastify's code. They answer with fastify's status (a
 * 415 stays a 415) and name the body as their target.
 */
const BODY_ERRORS: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'RequestTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'InvalidRequest',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'InvalidRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'InvalidRequest',
  FST_ERR_CTP_INVALID_JSON_BODY: 'InvalidRequest',
};

const INTERNAL_MESSAGE = 'The server failed to handle the request.';

/**
 * A file path in a message: absolute POSIX (`/var/lib/x.db`), Windows (`C:\\data\\x.db`) or UNC,
 * with at least two segments. Not a URL's path: a `/` after a word, `:` or `/` does not start one.
 */
const FILE_PATH = /(?<![\w:/.\\])(?:[A-Za-z]:[\\/]|\\\\|\/)(?:[^\s'"`<>|,;:()[\]{}\\/]+[\\/])+[^\s'"`<>|,;:()[\]{}]*/g;

/** Messages of errors the route did not write itself (store, host, fastify) lose any file path. */
export function withoutPaths(message: string): string {
  return message.replace(FILE_PATH, '<path>');
}

/** Anything a route threw, as the ApiError it answers with. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HostError)
    return ApiError.of(HOST_CODES[error.code] ?? 'Conflict', withoutPaths(error.message), error.target);
  // The store's words name no field of the request: no target. They may name its files (SQLite's).
  if (isStoreError(error))
    return ApiError.of(STORE_CODES[error.code] ?? 'ServiceUnavailable', withoutPaths(error.message));
  return frameworkError(error) ?? ApiError.of('InternalError', INTERNAL_MESSAGE);
}

/** fastify's own 4xx (body parsing, schema validation, ...), or undefined for anything else. */
function frameworkError(error: unknown): ApiError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message, validation, validationContext } = error as Partial<FastifyError>;
  const status = statusCode ?? (validation ? 400 : undefined);
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const text = withoutPaths(message ?? 'The request is not valid.');
  const bodyCode = code === undefined ? undefined : BODY_ERRORS[code];
  if (bodyCode) return new ApiError(status, bodyCode, text, 'body');
  if (validation) return new ApiError(status, 'InvalidRequest', text, validationContext);
  return new ApiError(status, status === 404 ? 'NotFound' : 'InvalidRequest', text);
}

/**
 * Installs the handler on `app` (and so on every plugin registered in it). `renderers` (from
 * extensions) answer the errors of routes that speak another API's error shape.
 */
export function installErrorHandler(app: FastifyInstance, renderers: readonly ErrorRenderer[] = []): void {
  app.setErrorHandler((error, request, reply) => {
    for (const render of renderers) {
      const own = render(error, request);
      if (!own) continue;
      if (own.status >= 500) request.log.error({ err: error }, 'request failed');
      for (const [name, value] of Object.entries(own.headers ?? {})) void reply.header(name, value);
      void reply.status(own.status).send(own.body);
      return;
    }
    const answer = errorAnswer(error, request.log);
    void reply.status(answer.status).headers(answer.headers).send(answer.body);
  });
}

/** What the API answers for anything a route threw (logged when it is the server's fault). */
export function errorAnswer(
  error: unknown,
  log: { error(obj: object, msg?: string): void },
): { status: number; headers: Record<string, string>; body: { error: ApiErrorData } } {
  const api = toApiError(error);
  if (api.statusCode >= 500) log.error({ err: error }, 'request failed');
  const headers: Record<string, string> = api.code === 'Unauthorized' ? { 'WWW-Authenticate': 'Bearer' } : {};
  return { status: api.statusCode, headers, body: { error: api.toData() } };
}
