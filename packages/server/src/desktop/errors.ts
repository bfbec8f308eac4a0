/**
 * Errors of the desktop-flow routes. Our own API answers `{error: {code, message, target?}}` with
 * a code from DesktopErrorCode; the Dataverse-compatible routes answer `{error: {code, message}}`
 * with Dataverse's hexadecimal error codes, mapped from ours in one table.
 */
import { isStoreError } from '../store/errors.js';

export type DesktopErrorCode =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'InvalidRequest'
  | 'InvalidInputs'
  | 'NoMachineGroup'
  | 'Conflict'
  | 'TooManyRequests'
  | 'InternalError';

export const HTTP_STATUS: Readonly<Record<DesktopErrorCode, number>> = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  InvalidRequest: 400,
  InvalidInputs: 400,
  NoMachineGroup: 400,
  Conflict: 409,
  TooManyRequests: 429,
  InternalError: 500,
};

/** Dataverse's codes for the same conditions (ObjectDoesNotExist, PrivilegeDenied, InvalidArgument, ...). */
export const DATAVERSE_CODE: Readonly<Record<DesktopErrorCode, string>> = {
  Unauthorized: '0x80072560',
  Forbidden: '0x80040220',
  NotFound: '0x80040217',
  InvalidRequest: '0x80040203',
  InvalidInputs: '0x80040203',
  NoMachineGroup: '0x80040203',
  Conflict: '0x80040237',
  TooManyRequests: '0x80072322',
  InternalError: '0x80040216',
};

export class DesktopError extends Error {
  constructor(
    readonly code: DesktopErrorCode,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'DesktopError';
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function apiErrorBody(e: DesktopError): { error: { code: string; message: string; target?: string } } {
  return { error: { code: e.code, message: e.message, ...(e.target !== undefined ? { target: e.target } : {}) } };
}

export function dataverseErrorBody(e: DesktopError): { error: { code: string; message: string } } {
  return { error: { code: DATAVERSE_CODE[e.code], message: e.message } };
}

/** Anything thrown, as a DesktopError: fastify's own 4xx (bad JSON, too large) become InvalidRequest. */
export function asDesktopError(error: unknown): DesktopError {
  if (error instanceof DesktopError) return error;
  if (isStoreError(error, 'NotFound')) return new DesktopError('NotFound', error.message, error.target);
  if (isStoreError(error, 'Conflict')) return new DesktopError('Conflict', error.message, error.target);
  const e = error as { statusCode?: number; message?: string } | undefined;
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new DesktopError('InvalidRequest', e.message ?? 'Bad request.', 'body');
  }
  return new DesktopError('InternalError', 'The server failed to handle the request.');
}
