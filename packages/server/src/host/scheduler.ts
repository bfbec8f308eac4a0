/**
 * The recurrence scheduler: fires the Recurrence triggers of enabled flows (spec §4.2).
 *
 * One pass (`tick`) lists the enabled flows, finds the Recurrence triggers of each one's current
 * version and, for each occurrence that is due, claims it with store.casRecurrence before it starts
 * the run. The claim is a compare-and-set on the last fired occurrence, so an occurrence fires at
 * most once: across restarts (the state is in the store, not in memory) and between schedulers
 * racing on one store (one CAS wins). A scheduler that dies between its claim and the run's start
 * loses that one occurrence; the next fires as scheduled.
 *
 * Missed-occurrence policy (downtime, or a scheduler that fell behind): the most recent missed
 * occurrence fires once, late, and older ones are skipped (as Logic Apps does); then the schedule
 * continues. Occurrences due before the flow's last change (created, saved, enabled) are never
 * fired: a flow created with a startTime in the past, or re-enabled after a while, does not fire a
 * backlog. A Recurrence without startTime fires at once when its flow is saved or enabled and is
 * spaced from that first run (anchored at the last fired occurrence, so it does not drift).
 *
 * The loop sleeps until the earliest next due time, capped (default 30 s; the server uses 5 s on PostgreSQL) so that flows saved by
 * other processes are noticed; `poke()` wakes it at once after a local change. On PostgreSQL only
 * the holder of the scheduler leadership fires (SQLite: the one process always holds it).
 */
import type { Flow, FlowStore, QueueStore, RecurrenceState, RunStore } from '../store/index.js';
import { fireTrigger, type TriggerHost } from './fire-trigger.js';
import type { HostLogger } from './types.js';
import { nextOccurrence, parseRecurrence, previousOccurrence, type Recurrence } from './recurrence.js';

/** The leadership the scheduler role competes for (the timer loop uses the same). */
export const SCHEDULER_LEADERSHIP = 'flowbridge-scheduler';
/** lastScheduledTime of a trigger that was planned but has not fired yet. */
const NEVER = -1;

export type SchedulerHost = TriggerHost;

export interface RecurrenceSchedulerOptions {
  /** Flows to plan from, trigger history, recurrence state and leadership. */
  store: FlowStore & RunStore & QueueStore;
  host: SchedulerHost;
  now?: () => number;
  log?: HostLogger;
  /** Longest sleep between passes (default 30 s): how soon flows saved elsewhere are noticed. */
  maxSleepMs?: number;
  /** Leadership to hold while firing (default SCHEDULER_LEADERSHIP); null: the caller holds it. */
  leadership?: string | null;
  /** With `leadership: null`: whether this process leads now (a pass does nothing while it does not). */
  leading?: () => boolean;
  /** Told of each run started (tests, metrics). */
  onFired?: (event: { flowId: string; triggerName: string; scheduledTime: number; runId: string }) => void;
}

interface RecurrenceTrigger {
  name: string;
  recurrence: Recurrence;
  /** When the flow version holding it was saved. */
  savedAt: number;
}

export class RecurrenceScheduler {
  private readonly store: FlowStore & RunStore & QueueStore;
  private readonly host: SchedulerHost;
  private readonly now: () => number;
  private readonly log: HostLogger | undefined;
  private readonly maxSleepMs: number;
  private readonly leadership: string | null;
  /** Recurrence triggers per flow version (versions are immutable). */
  private readonly triggers = new Map<string, RecurrenceTrigger[]>();
  /** Invalid recurrences already logged (once each). */
  private readonly reported = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private poked = false;
  private leader = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: RecurrenceSchedulerOptions) {
    this.store = options.store;
    this.host = options.host;
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.maxSleepMs = options.maxSleepMs ?? 30_000;
    this.leadership = options.leadership === undefined ? SCHEDULER_LEADERSHIP : options.leadership;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop();
  }

  /** Looks at the store again now: call after a flow is created, saved, enabled or disabled. */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Stops the loop after the pass in progress (runs already started go on in the host); gives up the leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    // Let another scheduler take over at once (a process that dies loses it with its session).
    if (this.leader && this.leadership !== null) await this.store.releaseLeadership(this.leadership).catch(() => {});
    this.leader = false;
  }

  /**
   * One pass: fires what is due now. Returns the earliest next due time (null: nothing planned, or
   * not the leader).
   */
  async tick(): Promise<number | null> {
    if (this.leadership !== null) {
      this.leader = await this.store.tryAcquireLeadership(this.leadership).catch(() => false);
      if (!this.leader) return null;
    } else if (this.options.leading && !this.options.leading()) return null;
    let earliest: number | null = null;
    for (const flow of await this.store.listFlows()) {
      if (this.stopped) break;
      if (flow.state !== 'Enabled') continue;
      for (const trigger of await this.recurrencesOf(flow)) {
        try {
          const due = await this.visit(flow, trigger);
          if (due !== null && (earliest === null || due < earliest)) earliest = due;
        } catch (error) {
          this.log?.error({ err: error, flowId: flow.id, trigger: trigger.name }, 'recurrence failed');
        }
      }
    }
    return earliest;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.poked = false;
      let due: number | null = null;
      try {
        due = await this.tick();
      } catch (error) {
        this.log?.error({ err: error }, 'recurrence pass failed');
      }
      if (this.stopped) break;
      if (this.poked) continue;
      const wait = due === null ? this.maxSleepMs : Math.min(Math.max(due - this.now(), 0), this.maxSleepMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  /** Plans and fires one trigger; returns its next due time. */
  private async visit(flow: Flow, trigger: RecurrenceTrigger): Promise<number | null> {
    const rec = trigger.recurrence;
    const now = this.now();
    let state = await this.store.getRecurrence(flow.id, trigger.name);
    const since = Math.min(flow.updatedAt, now);
    // First sight, or the flow changed (saved, enabled, renamed) since this trigger was planned.
    if (!state || flow.updatedAt > state.updatedAt) {
      const planned = replan(trigger, state, since);
      if (!state || planned !== state.nextTime) {
        const expected = state?.lastScheduledTime;
        await this.store.casRecurrence(flow.id, trigger.name, expected, {
          lastScheduledTime: expected ?? NEVER,
          nextTime: planned,
        });
        // Re-read whether we won or not: a racing scheduler's plan is as good as ours.
        state = await this.store.getRecurrence(flow.id, trigger.name);
        if (!state) return null;
      }
    }
    const due = state.nextTime;
    if (due === null || due > now) return due;

    // Due (or overdue): fire the most recent occurrence up to now, once; skip older missed ones.
    const anchor = rec.startTime ?? due;
    const scheduledTime = Math.max(previousOccurrence(rec, anchor, now) ?? due, due);
    const nextTime = nextOccurrence(rec, anchor, now);
    const won = await this.store.casRecurrence(flow.id, trigger.name, state.lastScheduledTime, {
      lastScheduledTime: scheduledTime,
      nextTime,
    });
    if (!won) return (await this.store.getRecurrence(flow.id, trigger.name))?.nextTime ?? null;
    await this.fire(flow, trigger.name, scheduledTime);
    return nextTime;
  }

  /** Fires the occurrence on the path every trigger takes (which writes its trigger history). */
  private async fire(flow: Flow, triggerName: string, scheduledTime: number): Promise<void> {
    const outcome = await fireTrigger(
      { store: this.store, host: this.host, now: this.now, log: this.log },
      // A Recurrence trigger has no outputs of note (spec §4.2).
      { flow, triggerName, outputs: {}, scheduledTime },
    );
    const about = { flowId: flow.id, trigger: triggerName, scheduledTime };
    switch (outcome.kind) {
      case 'skipped':
        this.log?.debug(about, 'trigger conditions not met');
        return;
      case 'refused':
        // The flow's concurrency queue is full: this occurrence is skipped, as Logic Apps skips a poll.
        this.log?.warn(about, outcome.message);
        return;
      case 'failed':
        this.log?.error({ ...about, error: outcome.error }, 'recurrence failed');
        return;
      case 'fired':
        for (const runId of outcome.runIds) {
          this.log?.info({ ...about, scheduledTime: new Date(scheduledTime).toISOString(), runId }, 'recurrence fired');
          this.options.onFired?.({ flowId: flow.id, triggerName, scheduledTime, runId });
        }
    }
  }

  private async recurrencesOf(flow: Flow): Promise<RecurrenceTrigger[]> {
    const key = `${flow.id}@${flow.currentVersion}`;
    const cached = this.triggers.get(key);
    if (cached) return cached;
    let found: RecurrenceTrigger[] = [];
    try {
      const { workflow, version } = await this.host.workflows.get(flow.id, flow.currentVersion);
      found = workflow.triggers.flatMap((t) => {
        if (t.type.toLowerCase() !== 'recurrence') return [];
        const parsed = parseRecurrence(t.def.recurrence);
        if ('error' in parsed) {
          const id = `${key}/${t.name}`;
          if (!this.reported.has(id)) {
            this.reported.add(id);
            this.log?.warn({ flowId: flow.id, trigger: t.name, error: parsed.error }, 'invalid recurrence');
          }
          return [];
        }
        return [{ name: t.name, recurrence: parsed, savedAt: version.createdAt }];
      });
    } catch (error) {
      // A version that does not compile has no runs to start; tell once.
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.log?.warn({ err: error, flowId: flow.id }, 'flow version does not compile: no recurrence');
      }
    }
    if (this.triggers.size >= 10_000) this.triggers.clear();
    this.triggers.set(key, found);
    return found;
  }
}

/**
 * The next occurrence after the flow changed at `since` (nothing fired since then: the state was
 * written before). A series anchored at startTime continues from `since`, dropping what was due
 * before it. Without startTime the first run is the change itself (save or enable) unless the
 * definition is the same and its next occurrence is still ahead (an enable within the interval, a
 * rename): then the series goes on.
 */
function replan(trigger: RecurrenceTrigger, state: RecurrenceState | undefined, since: number): number | null {
  const rec = trigger.recurrence;
  const keep =
    rec.startTime === undefined &&
    state !== undefined &&
    state.nextTime !== null &&
    state.nextTime >= since &&
    trigger.savedAt <= state.updatedAt;
  return keep ? state.nextTime : nextOccurrence(rec, since, since - 1);
}
