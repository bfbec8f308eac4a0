/**
 * App settings, read by `@appsetting('<name>')` (Logic Apps Standard reads its app settings so).
 * Two sources: FLOWBRIDGE_APPSETTING_<name> process variables are the defaults of every
 * environment; an environment's own settings (PUT /api/v1/environments/{id}/settings) override
 * them name by name. A run gets the merged set as a snapshot when it starts (RunInit.appSettings),
 * so a replay reads the same values. Kept in the settings table under a per-environment key.
 */
import type { Store } from './types.js';
import { isRecord } from '../util/json.js';
import { MISS, cachedSetting } from './read-cache.js';

export type AppSettings = Record<string, string>;
type SettingStore = Pick<Store, 'getSetting' | 'setSetting' | 'deleteSetting'>;

const PROCESS_PREFIX = 'FLOWBRIDGE_APPSETTING_';
const KEY_PREFIX = 'environment.appSettings:';

/** Setting names: letters, digits and `_ . : -` (what app settings and environment variables use). */
export const APP_SETTING_NAME = /^[A-Za-z0-9_.:-]{1,256}$/;
export const MAX_APP_SETTINGS = 500;
export const MAX_APP_SETTING_VALUE = 64 * 1024;

/** The FLOWBRIDGE_APPSETTING_<name> variables, by <name>. */
export function processAppSettings(env: Record<string, string | undefined>): AppSettings {
  const out: AppSettings = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith(PROCESS_PREFIX) && k.length > PROCESS_PREFIX.length && v !== undefined)
      out[k.slice(PROCESS_PREFIX.length)] = v;
  return out;
}

/** Keys built already, by environment id (each run start asks for its environment's). */
const settingKeys = new Map<string, string>();
function settingKey(environmentId: string): string {
  let key = settingKeys.get(environmentId);
  if (key === undefined) {
    key = KEY_PREFIX + environmentId;
    if (settingKeys.size >= 10_000) settingKeys.clear();
    settingKeys.set(environmentId, key);
  }
  return key;
}

export async function environmentAppSettings(store: SettingStore, environmentId: string): Promise<AppSettings> {
  return fromStored(await store.getSetting(KEY_PREFIX + environmentId));
}

function fromStored(stored: unknown): AppSettings {
  const out: AppSettings = {};
  if (isRecord(stored)) for (const [k, v] of Object.entries(stored)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Replaces the environment's settings (an empty object removes them all). */
export async function setEnvironmentAppSettings(
  store: SettingStore,
  environmentId: string,
  settings: AppSettings,
): Promise<void> {
  if (Object.keys(settings).length === 0) await store.deleteSetting(KEY_PREFIX + environmentId);
  else await store.setSetting(KEY_PREFIX + environmentId, settings);
}

/** What a run in the environment reads: the process defaults, overridden by the environment's. */
export async function runAppSettings(
  store: SettingStore,
  environmentId: string,
  defaults: AppSettings,
): Promise<AppSettings> {
  return (
    runAppSettingsNow(store, environmentId, defaults) ?? {
      ...defaults,
      ...(await environmentAppSettings(store, environmentId)),
    }
  );
}

/**
 * What runAppSettings resolves to (a new object each time), when the store's read cache holds the
 * environment's settings; undefined when they must be read. Each run start asks: this spares it
 * the awaits of a read that is nearly always in memory.
 */
export function runAppSettingsNow(
  store: SettingStore,
  environmentId: string,
  defaults: AppSettings,
): AppSettings | undefined {
  const stored = cachedSetting(store, settingKey(environmentId));
  return stored === MISS ? undefined : { ...defaults, ...fromStored(stored) };
}

export type AppSettingsError = { target: string; message: string };

/** A `{name: value}` body of string values, or what is wrong with it. */
export function parseAppSettings(body: unknown): { settings: AppSettings } | { error: AppSettingsError } {
  if (!isRecord(body)) return { error: { target: 'body', message: 'The body must be an object of {name: value}.' } };
  const entries = Object.entries(body);
  if (entries.length > MAX_APP_SETTINGS)
    return { error: { target: 'body', message: `At most ${MAX_APP_SETTINGS} app settings per environment.` } };
  const settings: AppSettings = {};
  for (const [name, value] of entries) {
    if (!APP_SETTING_NAME.test(name))
      return {
        error: { target: name, message: `'${name}' is not a valid app setting name (letters, digits, _ . : -).` },
      };
    if (typeof value !== 'string')
      return { error: { target: name, message: `The value of app setting '${name}' must be a string.` } };
    if (value.length > MAX_APP_SETTING_VALUE)
      return {
        error: { target: name, message: `The value of '${name}' is longer than ${MAX_APP_SETTING_VALUE} characters.` },
      };
    settings[name] = value;
  }
  return { settings };
}
