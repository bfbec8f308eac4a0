// The automation switch: an admin can stop all flows of the organisation, or all flows owned by
// chosen users (a leaver, a runaway maker), without touching the flows themselves. Triggers consult
// `automationBlocked` before starting a run and show the reason.
import type { SettingStore } from '../store/index.js';
import { MISS, cachedSetting } from '../store/read-cache.js';

export interface AutomationState {
  enabled: boolean;
  reason: string | null;
  changedAt: number | null;
  changedBy: string | null;
}

const ORG_KEY = 'auth.automation';
/** Keys built already, by user id (each trigger call asks for its flow owner's). */
const userKeys = new Map<string, string>();
function userKey(userId: string): string {
  let key = userKeys.get(userId);
  if (key === undefined) {
    key = `auth.automation.user.${userId}`;
    if (userKeys.size >= 10_000) userKeys.clear();
    userKeys.set(userId, key);
  }
  return key;
}

const ON: AutomationState = { enabled: true, reason: null, changedAt: null, changedBy: null };

function parse(value: unknown): AutomationState {
  if (!value || typeof value !== 'object') return ON;
  const v = value as Partial<AutomationState>;
  return {
    enabled: v.enabled !== false,
    reason: typeof v.reason === 'string' ? v.reason : null,
    changedAt: typeof v.changedAt === 'number' ? v.changedAt : null,
    changedBy: typeof v.changedBy === 'string' ? v.changedBy : null,
  };
}

/** The switch as the API shows it: times as ISO 8601, like every other time in the API. */
export function automationView(state: AutomationState): Omit<AutomationState, 'changedAt'> & {
  changedAt: string | null;
} {
  return { ...state, changedAt: state.changedAt === null ? null : new Date(state.changedAt).toISOString() };
}

export async function getOrgAutomation(store: SettingStore): Promise<AutomationState> {
  return parse(await store.getSetting(ORG_KEY));
}

export async function getUserAutomation(store: SettingStore, userId: string): Promise<AutomationState> {
  return parse(await store.getSetting(userKey(userId)));
}

export async function setOrgAutomation(store: SettingStore, state: AutomationState): Promise<void> {
  await store.setSetting(ORG_KEY, state);
}

export async function setUserAutomation(store: SettingStore, userId: string, state: AutomationState): Promise<void> {
  // Switching back on removes the row: the default is on, and no row per user stays behind.
  if (state.enabled) await store.deleteSetting(userKey(userId));
  else await store.setSetting(userKey(userId), state);
}

/** The reason runs may not start (organisation first, then the owner), or null when they may. */
export async function automationBlocked(store: SettingStore, ownerId: string | null): Promise<string | null> {
  const org = await getOrgAutomation(store);
  if (!org.enabled) return orgReason(org);
  if (ownerId !== null) {
    const user = await getUserAutomation(store, ownerId);
    if (!user.enabled) return userReason(user);
  }
  return null;
}

/**
 * What automationBlocked resolves to, when the store's read cache holds both switches already;
 * undefined when they must be read (every trigger call asks: this spares it the awaits).
 */
export function automationBlockedNow(store: SettingStore, ownerId: string | null): string | null | undefined {
  const orgValue = cachedSetting(store, ORG_KEY);
  if (orgValue === MISS) return undefined;
  const org = parse(orgValue);
  if (!org.enabled) return orgReason(org);
  if (ownerId !== null) {
    const userValue = cachedSetting(store, userKey(ownerId));
    if (userValue === MISS) return undefined;
    const user = parse(userValue);
    if (!user.enabled) return userReason(user);
  }
  return null;
}

const orgReason = (org: AutomationState): string => org.reason ?? 'Automation is switched off for the organisation.';
const userReason = (user: AutomationState): string =>
  user.reason ?? 'Automation is switched off for the owner of this flow.';
