import { createRequire } from 'node:module';
import type { IANAZone } from 'luxon';
import type { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { ExpressionError } from '../errors.js';
import { TICKS_PER_MILLISECOND, TICKS_PER_MINUTE, UNIX_EPOCH_TICKS } from './core.js';

/**
 * Time zones by Windows ID (what Logic Apps takes: 'Pacific Standard Time', 'UTC',
 * 'W. Europe Standard Time') or IANA name, with DST from the IANA database through luxon.
 * Windows IDs are matched case-insensitively, as the Windows registry lookup is.
 */
export interface TimeZone {
  /** The name as the caller gave it. */
  readonly name: string;
  readonly zone: IANAZone;
}

interface Zones {
  IANAZone: typeof IANAZone;
  /** Windows ID (lower case) to IANA name. */
  windowsIds: Map<string, string>;
}

let zones: Zones | undefined;
/**
 * luxon and the Windows zone table are loaded the first time a time zone is named, not when the
 * package is imported: most processes never convert a time zone. Evaluation is synchronous, so
 * they are required (luxon's CommonJS build; windows-iana is CommonJS), not imported. (Written as
 * `createRequire(import.meta.url)(id)` so that scripts/build.mjs bundles it lazily.)
 */
function loadZones(): Zones {
  if (zones) return zones;
  const luxon = createRequire(import.meta.url)('luxon') as { IANAZone: typeof IANAZone };
  const { WINDOWS_TO_IANA_MAP: map } = createRequire(import.meta.url)('windows-iana') as {
    WINDOWS_TO_IANA_MAP: typeof WINDOWS_TO_IANA_MAP;
  };
  const windowsIds = new Map<string, string>();
  for (const entry of map) {
    const key = entry.windowsName.toLowerCase();
    // The '001' territory row holds the zone's canonical IANA city.
    const iana = entry.iana[0];
    if (iana !== undefined && (entry.territory === '001' || !windowsIds.has(key))) windowsIds.set(key, iana);
  }
  zones = { IANAZone: luxon.IANAZone, windowsIds };
  return zones;
}

export function resolveTimeZone(name: string): TimeZone {
  const { IANAZone, windowsIds } = loadZones();
  const trimmed = name.trim();
  const iana = windowsIds.get(trimmed.toLowerCase()) ?? trimmed;
  if (iana !== '' && IANAZone.isValidZone(iana)) return { name, zone: IANAZone.create(iana) };
  throw new ExpressionError('InvalidArgument', `The provided time zone '${name}' is not valid.`);
}

/** IANA data before standard time (local mean time, fractional minutes) has no Windows equivalent. */
const EARLIEST_RULE_MS = Date.UTC(1901, 0, 1);

function offsetMinutesAt(tz: TimeZone, epochMs: number): number {
  return Math.round(tz.zone.offset(Math.max(epochMs, EARLIEST_RULE_MS)));
}

function toEpochMs(ticks: bigint): number {
  const diff = ticks - UNIX_EPOCH_TICKS;
  // Floor division so that sub-millisecond ticks before 1970 land in the right millisecond.
  const q = diff / TICKS_PER_MILLISECOND;
  return Number(diff < 0n && q * TICKS_PER_MILLISECOND !== diff ? q - 1n : q);
}

/** Wall-clock ticks in `tz` for a UTC instant. */
export function utcToZone(utc: bigint, tz: TimeZone): bigint {
  return utc + BigInt(offsetMinutesAt(tz, toEpochMs(utc))) * TICKS_PER_MINUTE;
}

/**
 * The UTC instant of a wall-clock time in `tz`, as .NET TimeZoneInfo.ConvertTimeToUtc: a time in
 * the spring-forward gap is invalid (error); an ambiguous time in the fall-back hour is taken as
 * standard time (the smaller offset, i.e. the later instant).
 */
export function zoneToUtc(local: bigint, tz: TimeZone): bigint {
  const localMs = toEpochMs(local);
  const candidates = new Set<number>();
  for (const probe of [-86_400_000, 0, 86_400_000]) candidates.add(offsetMinutesAt(tz, localMs + probe));
  const valid = [...candidates].filter((o) => offsetMinutesAt(tz, localMs - o * 60_000) === o);
  if (valid.length === 0) {
    throw new ExpressionError(
      'InvalidArgument',
      `The supplied date-time is an invalid time in the time zone '${tz.name}' (it falls in a daylight-saving gap).`,
    );
  }
  const offset = Math.min(...valid);
  return local - BigInt(offset) * TICKS_PER_MINUTE;
}
