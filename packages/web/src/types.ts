// The API's shapes as the app reads them: the SDK's, generated from the server's OpenAPI document
// (/api/v1/openapi.json, `npm run gen:client`), and below them what the document leaves open.
// Read as a consumer of the SDK reads them, from its dist/*.d.ts (its sources do not compile
// against the DOM library): `npm run build` after the document changes.
import type { components } from '@flowbridge/sdk';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type User = Schemas['User'];
export type SignedIn = Schemas['SignedIn'];
export type SessionUser = SignedIn['user'];
export type Environment = Schemas['Environment'];
export type Flow = Schemas['Flow'];
export type FlowVersion = Schemas['FlowVersion'];
export type Run = Schemas['Run'];
export type TriggerHistoryEntry = Schemas['TriggerHistory'];
export type Approval = Schemas['Approval'];
export type AccessToken = Schemas['AccessToken'];
export type OAuthClient = Schemas['Client'];
export type AuditEntry = Schemas['AuditEntry'];

export interface RetryAttempt {
  startTime?: string;
  endTime?: string;
  code?: string;
  error?: unknown;
}

export interface ActionRecord {
  name: string;
  path?: string;
  status: string;
  code?: string;
  inputs?: unknown;
  outputs?: unknown;
  error?: unknown;
  startTime?: string;
  endTime?: string;
  retryHistory?: RetryAttempt[];
  repetitionIndexes?: Array<{ scopeName: string; itemIndex: number }>;
}

export interface RunAction extends Omit<ActionRecord, 'name'> {
  repetitions?: ActionRecord[];
}

/** The document types a run's actions loosely; the app reads the run result JSON (DESIGN §4). */
export type RunDetail = Omit<Schemas['RunDetail'], 'actions'> & { actions?: Record<string, RunAction> };

export interface Page<T> {
  value: T[];
  nextCursor: string | null;
}

export interface DefinitionError {
  pointer: string;
  code: string;
  message: string;
}
