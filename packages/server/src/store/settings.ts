// The settings aggregate over the driver: one JSON value per key.
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { fromJson, toJson } from './json.js';
import type { SettingStore } from './setting-types.js';

export function settingStore({ driver, now }: StoreContext): SettingStore {
  const read = async (key: string): Promise<{ value: unknown } | undefined> => {
    const [r] = await driver.all('SELECT value FROM settings WHERE key = ?', [key]);
    return r && { value: fromJson(r.value) };
  };
  return {
    async getSetting(key) {
      return (await read(key))?.value;
    },

    async setSetting(key, value) {
      await driver.run(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [key, toJson(value, 'value'), now()],
      );
    },

    async deleteSetting(key) {
      return (await driver.run('DELETE FROM settings WHERE key = ?', [key])) > 0;
    },

    async initSetting(key, value) {
      const text = toJson(value, 'value');
      // A few rounds: only a deleteSetting landing between our insert and our read sends us round again.
      for (let round = 0; round < 5; round++) {
        // The insert that wins returns its row. A losing insert waits for the winner's transaction
        // to commit (PostgreSQL) and returns none; the read after it sees the winner.
        const inserted = await driver.all(
          `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [key, text, now()],
        );
        if (inserted.length) return fromJson(text);
        const stored = await read(key);
        if (stored) return stored.value;
      }
      throw new StoreError('Conflict', `setting ${key} kept being deleted while it was initialized`, { target: key });
    },
  };
}
