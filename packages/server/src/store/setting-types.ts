// The settings aggregate: small named JSON values (keys, secrets, switches) that outlive a process.
import type { Json } from './json.js';

export interface SettingStore {
  getSetting(key: string): Promise<Json | undefined>;
  setSetting(key: string, value: Json): Promise<void>;
  deleteSetting(key: string): Promise<boolean>;
  /**
   * Stores `value` under `key` only if the key has none, and returns the value stored afterwards:
   * when several callers (or processes) race, every one of them gets the same winner.
   */
  initSetting(key: string, value: Json): Promise<Json>;
}
