// Versioned migrations, written once for both dialects: the templates name column types through
// placeholders that each dialect fills in. A migration is never edited after release: add one.
//
// PostgreSQL column types: run history payloads (init, events, action records, definitions) are
// `json`, which keeps the text exactly as written (key order, number spelling), because replaying
// a run must see the same values it saw the first time; `jsonb` reorders keys. Metadata that is
// queried rather than replayed (audit details, settings, errors, queue payloads) is `jsonb`.

export interface ColumnTypes {
  /** JSON that must round-trip byte for byte. */
  json: string;
  /** JSON that is queried. */
  jsonb: string;
  bigint: string;
  /** An auto-incrementing integer primary key. */
  serial: string;
  /**
   * An increasing integer primary key with no bookkeeping of its own (SQLite: the rowid, reused
   * after the table empties, without AUTOINCREMENT's extra write to sqlite_sequence per insert).
   */
  rowid: string;
  /** Table suffix for tables keyed by their primary key alone (SQLite: one B-tree instead of two). */
  clustered: string;
}

export const sqliteTypes: ColumnTypes = {
  json: 'TEXT',
  jsonb: 'TEXT',
  bigint: 'INTEGER',
  serial: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  rowid: 'INTEGER PRIMARY KEY',
  clustered: ' WITHOUT ROWID',
};

export const postgresTypes: ColumnTypes = {
  json: 'json',
  jsonb: 'jsonb',
  bigint: 'BIGINT',
  serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  rowid: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  clustered: '',
};

export interface Migration {
  version: number;
  name: string;
  statements: (t: ColumnTypes) => string[];
  /**
   * SQLite: statements that cannot run inside a transaction (VACUUM), run just before the
   * migration's transaction. Each must be harmless to run again: a crash before that transaction
   * commits runs them again on the next start.
   */
  sqliteBefore?: string[];
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: (t) => [
      `CREATE TABLE environments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0)`,
      `CREATE TABLE access_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        last_used_at ${t.bigint})`,
      `CREATE INDEX access_tokens_user ON access_tokens(user_id)`,
      `CREATE TABLE oauth_clients (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        environment_id TEXT NOT NULL REFERENCES environments(id),
        roles ${t.jsonb} NOT NULL,
        created_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE audit_log (
        id ${t.serial},
        at ${t.bigint} NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details ${t.jsonb})`,
      `CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value ${t.jsonb} NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE flows (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL REFERENCES environments(id),
        name TEXT NOT NULL,
        owner_id TEXT,
        state TEXT NOT NULL,
        kind TEXT NOT NULL,
        access_key TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        deleted_at ${t.bigint})`,
      `CREATE INDEX flows_environment ON flows(environment_id)`,
      `CREATE TABLE flow_versions (
        flow_id TEXT NOT NULL REFERENCES flows(id),
        version INTEGER NOT NULL,
        definition ${t.json} NOT NULL,
        parameters ${t.json},
        created_at ${t.bigint} NOT NULL,
        created_by TEXT,
        PRIMARY KEY (flow_id, version))`,
      // Large JSON (over the threshold) lives here; the owning row keeps its id in a *_ref column.
      `CREATE TABLE payloads (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        data ${t.json} NOT NULL,
        size ${t.bigint} NOT NULL)`,
      `CREATE INDEX payloads_run ON payloads(run_id)`,
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL REFERENCES flows(id),
        flow_version INTEGER NOT NULL,
        environment_id TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time ${t.bigint} NOT NULL,
        end_time ${t.bigint},
        error ${t.jsonb},
        client_tracking_id TEXT,
        init ${t.json},
        init_ref TEXT,
        response ${t.json},
        response_ref TEXT,
        outputs ${t.json},
        outputs_ref TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0)`,
      `CREATE INDEX runs_start ON runs(start_time, id)`,
      `CREATE INDEX runs_flow_start ON runs(flow_id, start_time, id)`,
      `CREATE INDEX runs_env_start ON runs(environment_id, start_time, id)`,
      `CREATE INDEX runs_unfinished ON runs(status) WHERE status IN ('Queued', 'Running', 'Waiting')`,
      `CREATE TABLE run_events (
        run_id TEXT NOT NULL REFERENCES runs(id),
        seq INTEGER NOT NULL,
        event ${t.json},
        event_ref TEXT,
        PRIMARY KEY (run_id, seq))${t.clustered}`,
      `CREATE TABLE action_records (
        run_id TEXT NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        record ${t.json},
        record_ref TEXT,
        start_time TEXT,
        end_time TEXT,
        PRIMARY KEY (run_id, path))${t.clustered}`,
      `CREATE TABLE work_items (
        id TEXT PRIMARY KEY,
        run_id TEXT,
        kind TEXT NOT NULL,
        payload ${t.jsonb},
        available_at ${t.bigint} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_expires_at ${t.bigint})`,
      `CREATE INDEX work_items_available ON work_items(available_at)`,
      `CREATE INDEX work_items_run ON work_items(run_id)`,
      `CREATE TABLE timers (
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        due_at ${t.bigint} NOT NULL,
        fired INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, key))`,
      `CREATE INDEX timers_due ON timers(due_at) WHERE fired = 0`,
      `CREATE TABLE callbacks (
        key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        resolved_at ${t.bigint},
        payload ${t.json})`,
      `CREATE INDEX callbacks_run ON callbacks(run_id)`,
      `CREATE TABLE recurrences (
        flow_id TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        last_scheduled_time ${t.bigint} NOT NULL,
        next_time ${t.bigint},
        updated_at ${t.bigint} NOT NULL,
        PRIMARY KEY (flow_id, trigger_name))`,
      `CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        run_id TEXT,
        path TEXT,
        status TEXT NOT NULL,
        details ${t.jsonb},
        created_at ${t.bigint} NOT NULL,
        completed_at ${t.bigint})`,
      `CREATE INDEX approvals_run ON approvals(run_id)`,
      `CREATE INDEX approvals_status ON approvals(status)`,
      `CREATE TABLE approval_responses (
        id ${t.serial},
        approval_id TEXT NOT NULL REFERENCES approvals(id),
        responder_id TEXT NOT NULL,
        response TEXT NOT NULL,
        comments TEXT,
        at ${t.bigint} NOT NULL)`,
      `CREATE INDEX approval_responses_approval ON approval_responses(approval_id)`,
      `INSERT INTO environments (id, name, created_at) VALUES ('default', 'Default', 0)`,
    ],
  },
  {
    version: 2,
    name: 'recent steps staging',
    // Group commit writes the events and action records of many runs per transaction. Inserted
    // straight into run_events / action_records (clustered by run), a batch of 50 runs' steps
    // dirties ~50 leaf pages per table, each written whole to the WAL: ~260 pages per batch of 50.
    // SQLite appends them here instead (a few pages per batch, in commit order) and moves them
    // to the clustered tables in bulk every few thousand rows (step-batch.ts, mergeRecent). Reads
    // see both. Likewise each run's event counter: run_seqs_recent holds, for the runs with staged
    // events, runs.last_seq when the row was made (base) and the events staged since (n), so a
    // batch writes one small page instead of each of its runs' (wide) rows in runs.
    // PostgreSQL writes the clustered tables and runs.last_seq directly; there these stay empty.
    statements: (t) => [
      `CREATE TABLE run_events_recent (
        id ${t.rowid},
        run_id TEXT NOT NULL REFERENCES runs(id),
        seq INTEGER NOT NULL,
        event ${t.json},
        event_ref TEXT)`,
      `CREATE TABLE action_records_recent (
        id ${t.rowid},
        run_id TEXT NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        record ${t.json},
        record_ref TEXT,
        start_time TEXT,
        end_time TEXT)`,
      `CREATE TABLE run_seqs_recent (
        run_id TEXT PRIMARY KEY,
        base INTEGER NOT NULL,
        n INTEGER NOT NULL)${t.clustered}`,
    ],
  },
  {
    version: 3,
    name: 'trigger evaluations that started no run',
    // A trigger's history is its runs plus the evaluations that started none: conditions false
    // (Skipped), a body that failed the schema or an expression that failed (Failed). Runs are
    // their own record of firing, so only these need rows.
    statements: (t) => [
      `CREATE TABLE trigger_history (
        id ${t.serial},
        flow_id TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        at ${t.bigint} NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        message TEXT)`,
      `CREATE INDEX trigger_history_flow ON trigger_history(flow_id, at, id)`,
    ],
  },
  {
    version: 4,
    name: 'passwords, browser sessions and failed sign-ins',
    // Signing in with a password (store/sessions.ts). A password hash is kept beside the user row
    // rather than in it, so that nothing reading users (every token check does) sees it. Sessions
    // are found by the SHA-256 of the cookie's id; failed sign-ins are counted per email.
    statements: (t) => [
      `CREATE TABLE user_passwords (
        user_id TEXT PRIMARY KEY REFERENCES users(id),
        hash TEXT NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        csrf_token TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        expires_at ${t.bigint} NOT NULL,
        last_seen_at ${t.bigint} NOT NULL)`,
      `CREATE INDEX sessions_user ON sessions(user_id)`,
      `CREATE INDEX sessions_expires ON sessions(expires_at)`,
      `CREATE TABLE sign_in_failures (
        id ${t.serial},
        email TEXT NOT NULL,
        at ${t.bigint} NOT NULL)`,
      `CREATE INDEX sign_in_failures_email ON sign_in_failures(email, at)`,
      `CREATE INDEX sign_in_failures_at ON sign_in_failures(at)`,
    ],
  },
  {
    version: 5,
    name: 'cluster processes and their heartbeats',
    // One row per running process (GET /api/v1/cluster); a process that stops heartbeating drops
    // out of the list and the leader deletes its row later. Self-contained: no other table refers to it.
    statements: (t) => [
      `CREATE TABLE cluster_processes (
        id TEXT PRIMARY KEY,
        roles ${t.jsonb} NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        version TEXT NOT NULL,
        started_at ${t.bigint} NOT NULL,
        last_heartbeat ${t.bigint} NOT NULL,
        live_runs INTEGER NOT NULL,
        leader INTEGER NOT NULL)`,
    ],
  },
  {
    version: 6,
    name: 'connectors, connections and connector trigger state',
    // Connectors keep every imported version (a flow's runs may still use an older one); the
    // connection's secret parameters are a sealed envelope (secrets/), never clear text.
    statements: (t) => [
      `CREATE TABLE connectors (
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        api_id TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        created_by TEXT,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        PRIMARY KEY (environment_id, name))`,
      `CREATE TABLE connector_versions (
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        connector ${t.json} NOT NULL,
        created_by TEXT,
        created_at ${t.bigint} NOT NULL,
        PRIMARY KEY (environment_id, name, version))`,
      `CREATE TABLE connections (
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        connector_name TEXT NOT NULL,
        display_name TEXT,
        parameter_set TEXT,
        parameters ${t.jsonb} NOT NULL,
        sealed_secrets TEXT,
        status TEXT NOT NULL,
        created_by TEXT,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        PRIMARY KEY (environment_id, name))`,
      `CREATE TABLE flow_connection_refs (
        flow_id TEXT PRIMARY KEY,
        refs ${t.jsonb} NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE connector_triggers (
        flow_id TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        location TEXT,
        fingerprint TEXT,
        state ${t.jsonb},
        next_at ${t.bigint},
        updated_at ${t.bigint} NOT NULL,
        PRIMARY KEY (flow_id, trigger_name))`,
    ],
  },
  {
    version: 7,
    name: 'desktop flows, machines and their sessions',
    // Desktop flows (scripts with versions), machine groups and the machines their agents
    // registered, and the sessions queued for them (desktop/). A session's status is the Dataverse
    // flowsession statuscode (3 Waiting, 2 Running, 4 Succeeded, ...); `machine_id` is set when a
    // machine takes it, `deadline_at` is created_at + its timeout. Credentials of connections are
    // not kept here: they are resolved when a machine starts the session.
    statements: (t) => [
      `CREATE TABLE machine_groups (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        created_at ${t.bigint} NOT NULL,
        key_rotated_at ${t.bigint} NOT NULL)`,
      `CREATE UNIQUE INDEX machine_groups_name ON machine_groups(environment_id, name)`,
      `CREATE INDEX machine_groups_key ON machine_groups(key_hash)`,
      `CREATE TABLE machines (
        id TEXT PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES machine_groups(id),
        name TEXT NOT NULL,
        credential_hash TEXT NOT NULL,
        attended INTEGER NOT NULL,
        agent ${t.jsonb},
        registered_at ${t.bigint} NOT NULL,
        last_seen_at ${t.bigint} NOT NULL,
        removed_at ${t.bigint})`,
      `CREATE INDEX machines_group ON machines(group_id, name)`,
      `CREATE INDEX machines_credential ON machines(credential_hash)`,
      `CREATE TABLE desktop_flows (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        current_version INTEGER NOT NULL,
        owner_id TEXT,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        deleted_at ${t.bigint})`,
      `CREATE INDEX desktop_flows_environment ON desktop_flows(environment_id, name)`,
      `CREATE TABLE desktop_flow_versions (
        flow_id TEXT NOT NULL REFERENCES desktop_flows(id),
        version INTEGER NOT NULL,
        language TEXT NOT NULL,
        script TEXT NOT NULL,
        inputs ${t.json},
        outputs ${t.json},
        created_at ${t.bigint} NOT NULL,
        created_by TEXT,
        PRIMARY KEY (flow_id, version))${t.clustered}`,
      `CREATE TABLE desktop_sessions (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL,
        flow_id TEXT NOT NULL REFERENCES desktop_flows(id),
        flow_version INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        target_machine_id TEXT,
        machine_id TEXT,
        run_mode INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        status INTEGER NOT NULL,
        trigger_type INTEGER NOT NULL,
        connection_name TEXT,
        inputs ${t.json},
        outputs ${t.json},
        error_code TEXT,
        error_message TEXT,
        timeout_s INTEGER NOT NULL,
        deadline_at ${t.bigint} NOT NULL,
        callback_url TEXT,
        callback_state TEXT,
        run_id TEXT,
        waiter_key TEXT,
        created_by TEXT,
        cancel_requested INTEGER NOT NULL,
        created_at ${t.bigint} NOT NULL,
        assigned_at ${t.bigint},
        started_at ${t.bigint},
        completed_at ${t.bigint},
        row_version INTEGER NOT NULL)`,
      `CREATE INDEX desktop_sessions_queue ON desktop_sessions(group_id, status, priority, created_at)`,
      `CREATE INDEX desktop_sessions_machine ON desktop_sessions(machine_id, status)`,
      `CREATE INDEX desktop_sessions_open ON desktop_sessions(status, deadline_at)`,
      `CREATE INDEX desktop_sessions_run ON desktop_sessions(run_id)`,
      `CREATE INDEX desktop_sessions_flow ON desktop_sessions(flow_id, created_at)`,
      `CREATE TABLE desktop_session_logs (
        id ${t.serial},
        session_id TEXT NOT NULL REFERENCES desktop_sessions(id),
        at ${t.bigint} NOT NULL,
        text TEXT NOT NULL)`,
      `CREATE INDEX desktop_session_logs_session ON desktop_session_logs(session_id, id)`,
    ],
  },
  {
    version: 8,
    name: 'flow templates',
    // A template is a definition with the connection references it needs (reference name →
    // connector name), default parameter values and tags; a host instantiates it into a flow
    // (http/templates.ts). Its name is unique in its environment.
    statements: (t) => [
      `CREATE TABLE flow_templates (
        id TEXT PRIMARY KEY,
        environment_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        definition ${t.json} NOT NULL,
        connection_references ${t.jsonb} NOT NULL,
        parameters ${t.json} NOT NULL,
        tags ${t.jsonb} NOT NULL,
        created_by TEXT,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE UNIQUE INDEX flow_templates_name ON flow_templates(environment_id, name)`,
    ],
  },
  {
    version: 9,
    name: 'run history gives its space back; one index fewer',
    // Retention deletes most of what a busy store ever writes. With auto_vacuum = INCREMENTAL the
    // SQLite file keeps a map of its pages, and the pruner gives the freed pages back between its
    // batches (PRAGMA incremental_vacuum, Driver.reclaimSpace) instead of the file staying at its
    // largest forever. An existing database only switches when rewritten: the one VACUUM here
    // (it needs free disk space the size of the database, and takes a few seconds per GiB).
    // PostgreSQL: autovacuum's plain VACUUM makes deleted rows' space reusable; nothing to switch.
    // runs_env_start goes: no caller lists a whole environment's runs (the API lists a flow's, or
    // all runs by start time through runs_start), and each index entry costs ~70 bytes per run.
    sqliteBefore: ['PRAGMA auto_vacuum = INCREMENTAL', 'VACUUM'],
    statements: () => ['DROP INDEX IF EXISTS runs_env_start'],
  },
  {
    version: 10,
    name: 'parked runs',
    // A run that only waits (timers, callbacks; no effect in flight) is parked: not held in memory,
    // and not replayed at start (its timers and callbacks are rows of their own). Existing runs
    // read as not parked, so the first start after the upgrade resumes them as before.
    statements: () => [`ALTER TABLE runs ADD COLUMN parked INTEGER NOT NULL DEFAULT 0`],
  },
  {
    version: 11,
    name: 'a short run keeps its action records in its row',
    // A run that one write creates and ends (the HTTP flow's runs) keeps its action records packed
    // in runs.records, one JSON array (store/packed-records.ts), instead of a row each in
    // action_records: ~5 rows and index entries per run, each repeating the run id, become one.
    // Existing runs keep their rows (NULL here); both read the same. Last of the row, so reads of
    // the other columns never reach it.
    statements: (t) => [`ALTER TABLE runs ADD COLUMN records ${t.json}`],
  },
  {
    version: 12,
    name: "a flow's unfinished runs have an index of their own",
    // Admitting a limited flow's queued runs counts its unfinished runs and takes its oldest queued
    // ones. With runs_unfinished (status) and runs_flow_start alone, SQLite's planner walks the
    // flow's whole history through runs_flow_start (no ANALYZE statistics tell it which is
    // smaller): tens of ms per admission at 50,000 runs of the flow. This index holds only the
    // unfinished runs (none of a finished history) and answers both in order. Queries use it by
    // repeating its condition literally (run-rows.ts, UNFINISHED_SQL).
    statements: () => [
      `CREATE INDEX runs_unfinished_flow ON runs(flow_id, status, start_time, id)
       WHERE status IN ('Queued', 'Running', 'Waiting')`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]?.version ?? 0;
