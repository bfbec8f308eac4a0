// The API's shapes as the app reads them (see the server's OpenAPI document at /api/v1/openapi.json).

export type Role = 'admin' | 'maker' | 'operator' | 'user';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role | null;
  roles: Record<string, Role>;
  disabled: boolean;
  createdAt: string;
  automation: { enabled: boolean; reason: string | null };
}

export interface SessionUser extends User {
  isAdmin: boolean;
  permissions: Record<string, string[]>;
}

export interface SignedIn {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

export interface Environment {
  id: string;
  name: string;
  createdAt: string;
}

export interface Flow {
  id: string;
  name: string;
  environmentId: string;
  ownerId: string | null;
  state: 'Enabled' | 'Disabled';
  kind: 'Stateful' | 'Stateless';
  version: number;
  createdAt: string;
  updatedAt: string;
  definition?: unknown;
  parameters?: Record<string, unknown>;
}

export interface FlowVersion {
  version: number;
  createdAt: string;
  createdBy: string | null;
  definition: unknown;
}

export type RunStatus =
  'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'Cancelled' | 'TimedOut' | 'Skipped' | 'Aborted' | 'Queued';

export interface Run {
  id: string;
  flowId: string;
  flowVersion: number;
  triggerName: string;
  status: RunStatus;
  startTime: string;
  endTime: string | null;
  error: unknown;
  clientTrackingId: string | null;
}

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

export interface RunDetail extends Run {
  trigger: { name: string; outputs: unknown };
  actions?: Record<string, RunAction>;
  /** false: a Stateless run that kept no per-action history (its actions map is empty). */
  historyKept?: boolean;
  response: unknown;
  outputs: unknown;
}

export interface Page<T> {
  value: T[];
  nextCursor: string | null;
}

export interface TriggerHistoryEntry {
  name: string;
  startTime: string;
  status: string;
  fired: boolean;
  run: { name: string; status: string } | null;
  code?: string;
  error?: { code: string; message: string };
}

export interface ApprovalResponse {
  responder: { id: string; displayName: string; email: string };
  responseDate: string;
  approverResponse: string;
  comments: string;
}

export interface Approval {
  id: string;
  status: string;
  approvalType: string;
  title: string;
  details: string;
  itemLink: string;
  itemLinkDescription: string;
  requestor: string;
  assignedTo: string[];
  responseOptions: string[];
  enableReassignment: boolean;
  requestDate: string;
  completionDate: string | null;
  outcome: string | null;
  responses: ApprovalResponse[];
  runId: string | null;
  workflow: { id?: string; name?: string } | null;
}

export interface AccessToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface OAuthClient {
  client_id: string;
  name: string | null;
  roles: string[];
  environmentId: string;
  createdAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

export interface DefinitionError {
  pointer: string;
  code: string;
  message: string;
}
