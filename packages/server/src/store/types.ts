// The durable store's records and its interface, which is the intersection of narrow roles, one
// or two per aggregate (people; environments and flows; runs; queue; approvals; settings): a
// consumer depends on the roles it uses. Both backends (SQLite, PostgreSQL) implement `Store`;
// contract.test.ts pins the behaviour for both. Times are epoch milliseconds (numbers); JSON
// payloads are plain values (what JSON.parse returns) and are given back exactly as stored.
import type { ApprovalStore } from './approval-types.js';
import type { ClusterStore } from './cluster-types.js';
import type { ConnectorStore } from './connector-types.js';
import type { EnvironmentStore, FlowStore } from './flow-types.js';
import type { PeopleStore } from './people-types.js';
import type { QueueStore } from './queue-types.js';
import type { RunStore } from './run-types.js';
import type { SettingStore } from './setting-types.js';
import type { SessionStore } from './sessions.js';
import type { TemplateStore } from './template-types.js';

export type { Json } from './json.js';
export type * from './approval-types.js';
export type * from './cluster-types.js';
export type * from './connector-types.js';
export type * from './people-types.js';
export type * from './queue-types.js';
export type * from './setting-types.js';
export type * from './template-types.js';
export { DEFAULT_ENVIRONMENT_ID } from './flow-types.js';
export type * from './flow-types.js';
export { UNFINISHED_RUN_STATUSES } from './run-types.js';
export type * from './run-types.js';
import type { DesktopStore } from './desktop-types.js';

/** What every store has besides its roles: which backend it is, whether shared, and its end. */
export interface StoreLifecycle {
  readonly backend: 'sqlite' | 'postgres';
  /** Other processes use the database at once (PostgreSQL; SQLite under `flowbridge start --workers`). */
  readonly shared: boolean;
  close(): Promise<void>;
}

export type Store = StoreLifecycle &
  PeopleStore &
  EnvironmentStore &
  FlowStore &
  RunStore &
  QueueStore &
  ApprovalStore &
  ConnectorStore &
  TemplateStore &
  SettingStore &
  ClusterStore &
  SessionsRole &
  DesktopRole;

/** Desktop flows, machines and their sessions (store/desktop.ts). */
export interface DesktopRole {
  readonly desktop: DesktopStore;
}

/** Password hashes, browser sessions and failed sign-ins (store/sessions.ts). */
export interface SessionsRole {
  readonly sessions: SessionStore;
}
