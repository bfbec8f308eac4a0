// The settings aggregate over the driver: one JSON value per key.
import type { StoreContext } from './context.js';
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
  };
}
