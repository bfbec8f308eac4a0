// The settings aggregate: small named JSON values (keys, secrets, switches) that outlive a process.
import type { Json } from './json.js';

export interface SettingStore {
  getSetting(key: string): Promise<Json | undefined>;
  setSetting(key: string, value: Json): Promise<void>;
  deleteSetting(key: string): Promise<boolean>;
}
