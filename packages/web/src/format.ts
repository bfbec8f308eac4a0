// How times, durations and statuses read in the app (pure: tested in node).

/** "1.2 s", "340 ms", "2 min 5 s", "1 h 3 min"; "" when the start is unknown. */
export function duration(start: string | null | undefined, end: string | null | undefined, now = Date.now()): string {
  if (!start) return '';
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '';
  return formatMs(Math.max(0, to - from));
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A local date and time, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export type StatusTone = 'ok' | 'bad' | 'busy' | 'idle' | 'warn';

const TONES: Record<string, StatusTone> = {
  succeeded: 'ok',
  approved: 'ok',
  enabled: 'ok',
  failed: 'bad',
  timedout: 'bad',
  aborted: 'bad',
  rejected: 'bad',
  running: 'busy',
  waiting: 'busy',
  queued: 'busy',
  pending: 'busy',
  cancelled: 'warn',
  skipped: 'idle',
  disabled: 'idle',
};

export function statusTone(status: string | null | undefined): StatusTone {
  return TONES[(status ?? '').toLowerCase()] ?? 'idle';
}

/** Run statuses that will still change (the run page refreshes itself while it shows one). */
export function isActive(status: string | null | undefined): boolean {
  const s = (status ?? '').toLowerCase();
  return s === 'running' || s === 'waiting' || s === 'queued';
}

/** What run history shows instead of secured inputs or outputs (the engine's mask). */
export const SECURED = '*** secured ***';

export function isSecured(value: unknown): boolean {
  return value === SECURED;
}
