// Brings a database to the newest schema version, one transaction per migration. On PostgreSQL
// an advisory lock makes concurrent starters wait instead of migrating twice.
import type { Driver } from './driver.js';
import { StoreError } from './errors.js';
import { migrations, postgresTypes, sqliteTypes, LATEST_SCHEMA_VERSION } from './schema.js';

/** `to` stops at an older version (tests of upgrades); by default the newest. */
export async function migrate(
  driver: Driver,
  now: number,
  options: { to?: number } = {},
): Promise<{ from: number; to: number }> {
  const target = options.to ?? LATEST_SCHEMA_VERSION;
  const types = driver.dialect === 'postgres' ? postgresTypes : sqliteTypes;
  let from = 0;
  await driver.transaction(async (c) => {
    if (driver.dialect === 'postgres') await c.all(`SELECT pg_advisory_xact_lock(hashtext('flowbridge:migrate'))`);
    await c.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at ${types.bigint} NOT NULL)`);
    const rows = await c.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    from = Number(rows[0]?.v ?? 0);
  });
  if (from > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      'IncompatibleSchema',
      `${driver.place} has schema version ${from}, newer than this Flowbridge knows (${LATEST_SCHEMA_VERSION}): upgrade Flowbridge`,
      { target: driver.place },
    );
  }
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    if (driver.dialect === 'sqlite') for (const sql of m.sqliteBefore ?? []) await driver.run(sql);
    await driver.transaction(async (c) => {
      if (driver.dialect === 'postgres') await c.all(`SELECT pg_advisory_xact_lock(hashtext('flowbridge:migrate'))`);
      const done = await c.all('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (done.length) return; // another process applied it while we waited for the lock
      for (const sql of m.statements(types)) await c.run(sql);
      await c.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        now,
      ]);
    });
  }
  return { from, to: Math.max(from, target) };
}
