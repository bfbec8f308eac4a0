// The durable store of Flowbridge (DESIGN §2, §3): one interface, SQLite and PostgreSQL backends.
export { openStore, DEFAULT_DATA_DIR, isPostgresUrl } from './open.js';
export type { OpenStoreOptions } from './open.js';
export type { SqlStore, SqlStoreOptions } from './sql-store.js';
export { StoreError, isStoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { DEFAULT_PAYLOAD_THRESHOLD } from './json.js';
export { LATEST_SCHEMA_VERSION } from './schema.js';
export { SQLITE_FILE_NAME } from './sqlite-driver.js';
export { DEFAULT_ENVIRONMENT_ID, UNFINISHED_RUN_STATUSES } from './types.js';
export { clusterCachePeers, withReadCache } from './read-cache.js';
export type { SessionRecord, SessionStore, SignInFailures } from './sessions.js';
export { sortableId } from './ids.js';
export type * from './types.js';
export type * from './desktop-types.js';
export type * from './desktop-sessions.js';
