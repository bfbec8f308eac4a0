/** Errors of the approvals API as data: a code from the closed union and the HTTP status it maps to. */
import type { ApprovalsErrorCode } from './types.js';

const statusOf: Record<ApprovalsErrorCode, number> = {
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyCompleted: 409,
  AlreadyResponded: 409,
  InvalidResponse: 400,
  InvalidRequest: 400,
  ReassignmentDisabled: 403,
};

export class ApprovalsError extends Error {
  readonly code: ApprovalsErrorCode;
  readonly status: number;
  readonly target: string | undefined;
  constructor(code: ApprovalsErrorCode, message: string, target?: string) {
    super(message);
    this.name = 'ApprovalsError';
    this.code = code;
    this.status = statusOf[code];
    this.target = target;
  }
  toBody(): { error: { code: ApprovalsErrorCode; message: string; target?: string } } {
    return {
      error:
        this.target === undefined
          ? { code: this.code, message: this.message }
          : { code: this.code, message: this.message, target: this.target },
    };
  }
}
