/**
 * Error codes of the connector host (routes, actions, triggers): a closed union. The core's own
 * codes (connectors/errors.ts) pass through as they are where a request could not be built.
 */
import type { ConnectorErrorCode } from '../connectors/index.js';

export type ConnectorHostErrorCode =
  | 'ConnectorNotFound'
  | 'ConnectionNotFound'
  /** A flow's connection reference names no connection in its environment. */
  | 'ConnectionReferencesMissing'
  /** The connection's sealed secrets do not open (another master key, tampering). */
  | 'ConnectionSecretsUnreadable'
  /** The subscribe request of a webhook trigger failed; the flow stays off. */
  | 'SubscribeFailed'
  /** A poll of a polling trigger failed. */
  | 'PollFailed'
  | 'ConnectionFailed';

export type ConnectorFailureCode = ConnectorHostErrorCode | ConnectorErrorCode;

export interface ConnectorFailure {
  code: ConnectorFailureCode;
  message: string;
  details?: unknown;
}

export class ConnectorHostError extends Error {
  constructor(
    readonly code: ConnectorFailureCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ConnectorHostError';
  }

  get data(): ConnectorFailure {
    return { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) };
  }
}
