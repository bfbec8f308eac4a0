/**
 * A run live in this process: its engine state and what the host tracks around it. Only the
 * live-run registry (live-runs.ts) creates and drops them; the other parts read and update them.
 */
import type { ActionRecord, Command, Run, RunEvent, RunInit, RunOutcome, Step, Workflow } from '@flowbridge/engine';
import type { EffectExecutor } from '../effects/types.js';
import type { RunStatus } from '../store/index.js';
import { HostError } from './errors.js';
import type { RunResponse } from './types.js';

export interface Live {
  runId: string;
  flowId: string;
  durable: boolean;
  workflow: Workflow;
  init: RunInit;
  run: Run;
  chain: Promise<void>;
  done: boolean;
  status: RunStatus;
  inflight: Map<string, AbortController>;
  records: Map<string, ActionRecord>;
  /**
   * Action records not yet written, by path. Records are derived data (replaying the events gives
   * them back), so a durable run writes them when it ends or goes idle, not with every step: the
   * events alone make a step durable, and the writes stay small.
   */
  unwritten: Map<string, ActionRecord>;
  /** The seq of the run's last event as this copy knows it (scale-out: fences its next commit). */
  seq: number;
  callbacks: Map<string, { key: string; url?: string }>; // by action path
  // Stateless runs keep their history here until the single write at the end (with the flow's
  // environment, so that the store need not read the new run back).
  memory?: {
    events: RunEvent[];
    records: ActionRecord[];
    timers: Map<string, NodeJS.Timeout>;
    environmentId?: string;
  };
  executor: EffectExecutor;
  /** The first Response the run sent (a waiter that comes late still gets it). */
  response?: RunResponse;
  /** Scale-out: this process holds the lease on the run's ownership item (renewed while live). */
  owned?: boolean;
  /** Dropped from memory: events still queued for this copy go back to the queue. */
  evicted?: boolean;
  /** The run's `parked` flag as last written (undefined: not known, as after a rebuild). */
  parked?: boolean;
  /** How the run ended, read once (for its last write, then for its end). */
  ended?: RunOutcome;
  /**
   * The write that ends the run, while it commits, when the run let its engine state go first
   * (endedRun): a read of its full result waits for it and reads the store.
   */
  ending?: Promise<unknown>;
}

/** A run's chain of steps when it starts: nothing under way (one settled promise serves every run). */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A new run's Live: every field set, in one order, durable or not (one object shape for every
 * run). `executorFor` builds its effect executor at the first effect: most runs of a
 * request/response flow perform none.
 */
export function newLive(
  run: Pick<Live, 'runId' | 'flowId' | 'durable' | 'workflow' | 'init' | 'run'>,
  executorFor: (records: Map<string, ActionRecord>) => EffectExecutor,
): Live {
  const records = new Map<string, ActionRecord>();
  const live: Live = {
    runId: run.runId,
    flowId: run.flowId,
    durable: run.durable,
    workflow: run.workflow,
    init: run.init,
    run: run.run,
    chain: RESOLVED,
    done: false,
    status: 'Running',
    inflight: new Map(),
    records,
    unwritten: new Map(),
    seq: 0,
    callbacks: new Map(),
    // A durable run's row starts not parked (a rebuild does not know: see LiveRuns.rebuild).
    parked: run.durable ? false : undefined,
    memory: run.durable ? undefined : { events: [], records: [], timers: new Map(), environmentId: undefined },
    executor: (command, context) => {
      live.executor = executorFor(records);
      return live.executor(command, context);
    },
  };
  return live;
}

/**
 * The handle of a run that ended in the step being written: its outcome, nothing pending, and any
 * event answered as the ended engine answers it (an empty, done step). A run lets its engine state
 * (records, values, maps) go as soon as its last write is prepared rather than when that commits:
 * at c=50 the runs awaiting their commit were about half of what each young-generation GC copied.
 * Its full result is read from the store once written (`Live.ending`), never from this handle.
 * One object (a class, not closures): every request/response run holds one while it commits.
 */
class EndedRun implements Run {
  constructor(private readonly ended: RunOutcome) {}
  outcome(): RunOutcome {
    return this.ended;
  }
  pending(): Command[] {
    return [];
  }
  deliver(): Step {
    return { commands: [], records: [], status: this.ended.status, done: true };
  }
  result(): never {
    throw new HostError('InvalidState', 'The run has ended: its result is read from the store once written.');
  }
}

export function endedRun(outcome: RunOutcome): Run {
  return new EndedRun(outcome);
}

/** The maps of a run that has let go: always empty, and writing to one is a bug (it throws). */
class Emptied<K, V> extends Map<K, V> {
  override set(): this {
    throw new HostError('InvalidState', 'The run has ended: nothing of it is tracked any more.');
  }
}
const NO_INFLIGHT: Live['inflight'] = new Emptied();
const NO_RECORDS: Live['records'] = new Emptied();
const NO_CALLBACKS: Live['callbacks'] = new Emptied();
/** An ended run performs no effect (its executor would hold its whole init). */
const NO_EFFECTS: EffectExecutor = () =>
  Promise.reject(new HostError('InvalidState', 'The run has ended: it performs no effect.'));

/**
 * The run ended in the write `ending` commits, and only ends (and answers, unless a Stateless run
 * has already) once that is committed. Meanwhile its handle keeps its outcome (endedRun), of its
 * init what its end reads (the run, the workflow, the trigger's name and start), no maps, no
 * history and no effect executor of its own: what it held is garbage before the next
 * young-generation GC, instead of being copied by it.
 */
export function letGo(live: Live, ending: Promise<unknown>): void {
  live.run = endedRun(live.ended ?? live.run.outcome());
  live.ending = ending;
  const { runId, workflow, trigger, now } = live.init;
  live.init = {
    runId,
    workflow,
    trigger: { name: trigger.name, outputs: undefined, startTime: trigger.startTime },
    now,
  };
  live.inflight = NO_INFLIGHT;
  live.records = NO_RECORDS;
  live.unwritten = NO_RECORDS;
  live.callbacks = NO_CALLBACKS;
  live.executor = NO_EFFECTS;
  if (live.memory) {
    // A Stateless run's history, now in the write.
    live.memory.events = [];
    live.memory.records = [];
  }
}

/** Whether the run still waits for this event (a duplicate wake-up is dropped by the registry). */
export function awaits(live: Live, event: RunEvent): boolean {
  if (event.kind === 'cancel') return true;
  const key = event.kind === 'effectResult' ? event.id : event.key;
  return live.run.pending().some((c) => (c.kind === 'effect' ? c.id : 'key' in c ? c.key : undefined) === key);
}

export const FINISHED = new Set<string>(['Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped', 'Aborted']);

export function callbackRef(c: Extract<Command, { kind: 'awaitCallback' }>): { key: string; url?: string } {
  return c.callbackUrl ? { key: c.key, url: c.callbackUrl } : { key: c.key };
}

export function responseOf(c: Extract<Command, { kind: 'response' }>): RunResponse {
  return { statusCode: c.statusCode, headers: c.headers, body: c.body };
}

/**
 * The init a RunHost gives a run: its callback base is a function (signing a URL costs an HMAC, and
 * most runs need none), which the stored JSON leaves out; the public URL the run started under is
 * kept instead, so that whichever process replays the run (a worker without a URL of its own, say)
 * derives the same URLs.
 */
export type HostRunInit = RunInit & { callbackOrigin?: string };

/** A run's init as read back from the store, with its callback base again (see HostRunInit). */
export function withCallbackBase(
  init: HostRunInit,
  ctx: { callbackBase(runId: string, origin?: string): string },
): RunInit {
  // Runs stored before the origin was kept hold the URL itself.
  if (init.callbackBaseUrl !== undefined) return init;
  const origin = typeof init.callbackOrigin === 'string' ? init.callbackOrigin : undefined;
  return { ...init, callbackBaseUrl: () => ctx.callbackBase(init.runId, origin) };
}
