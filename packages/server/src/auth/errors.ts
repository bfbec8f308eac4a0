// HTTP errors of the auth routes: `{error: {code, message, target?}}` with a code from this closed
// union (the OAuth token endpoint answers in RFC 6749's own form instead, see oauth-routes.ts).
import type { FastifyReply } from 'fastify';

export type AuthErrorCode =
  | 'Unauthorized' // 401: no credentials, or credentials we do not accept
  | 'Forbidden' // 403: authenticated, but the role does not allow it
  | 'NotFound' // 404
  | 'Conflict' // 409: duplicate email, duplicate environment id
  | 'InvalidRequest'; // 400: the body or query is malformed; `target` names the field

const STATUS: Record<AuthErrorCode, number> = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  InvalidRequest: 400,
};

export interface AuthError {
  code: AuthErrorCode;
  message: string;
  target?: string;
}

/** Thrown inside route handlers; the plugin's error handler turns it into the response. */
export class AuthHttpError extends Error {
  readonly code: AuthErrorCode;
  readonly target: string | undefined;
  constructor(code: AuthErrorCode, message: string, target?: string) {
    super(message);
    this.name = 'AuthHttpError';
    this.code = code;
    this.target = target;
  }
  get status(): number {
    return STATUS[this.code];
  }
  toJSON(): AuthError {
    return this.target === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, target: this.target };
  }
}

export function sendAuthError(reply: FastifyReply, error: AuthHttpError): FastifyReply {
  if (error.code === 'Unauthorized') reply.header('www-authenticate', 'Bearer');
  return reply.code(error.status).send({ error: error.toJSON() });
}

/** Throws InvalidRequest naming `target` (a field of the request body or query). */
export function invalid(target: string, message: string): never {
  throw new AuthHttpError('InvalidRequest', message, target);
}
