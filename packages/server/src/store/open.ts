// openStore: the one way in. A postgres:// URL selects PostgreSQL; anything else is the embedded
// SQLite database in a data directory (./.flowbridge/ unless told otherwise).
import { migrate } from './migrate.js';
import { createSqlStore } from './sql-store.js';
import type { SqlStore, SqlStoreOptions } from './sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { Driver } from './driver.js';
import { StoreError } from './errors.js';

export const DEFAULT_DATA_DIR = './.flowbridge';

export type OpenStoreOptions = (
  | {
      dataDir?: string;
      databaseUrl?: undefined;
      /** Other processes (`flowbridge start --workers`) use the embedded database at once. */
      shared?: boolean;
    }
  | { databaseUrl: string; dataDir?: undefined; shared?: undefined }
) &
  SqlStoreOptions & {
    /** PostgreSQL pool size (default 10). */
    poolSize?: number;
  };

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  let driver: Driver;
  if (options.databaseUrl !== undefined) {
    if (!isPostgresUrl(options.databaseUrl)) {
      throw new StoreError('InvalidArgument', 'databaseUrl must be a postgres:// or postgresql:// URL', {
        target: 'databaseUrl',
      });
    }
    // Loaded only here: `pg` costs start-up time and memory that the embedded store never needs.
    const { PostgresDriver } = await import('./postgres-driver.js');
    driver = new PostgresDriver(options.databaseUrl, { poolSize: options.poolSize });
  } else {
    driver = new SqliteDriver({ dataDir: options.dataDir ?? DEFAULT_DATA_DIR, shared: options.shared ?? false });
  }
  try {
    await migrate(driver, (options.now ?? Date.now)());
  } catch (e) {
    await driver.close().catch(() => {});
    throw e;
  }
  return createSqlStore(driver, options);
}
