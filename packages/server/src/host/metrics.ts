/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process
 * (tests) do not collide. The host reports runs and actions through its observer hooks.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HostObserver } from './run-host.js';

export interface ServerMetrics {
  registry: Registry;
  observer: HostObserver;
  triggerLatency: Histogram<'outcome'>;
  setGauges(read: () => GaugeReadings): void;
}

/** What the gauges show, read when scraped. */
export interface GaugeReadings {
  liveRuns: number;
  workInProgress: number;
  /** Timers not fired yet that this process's timer loop fires when due (a store read). */
  pendingTimers(): Promise<number>;
}

/** `processId`: every series carries it as the `process` label, so a cluster's scrapes stay apart. */
export function createMetrics(processId?: string): ServerMetrics {
  const registry = new Registry();
  if (processId) registry.setDefaultLabels({ process: processId });
  const started = new Counter({ name: 'flowbridge_runs_started_total', help: 'Runs started', registers: [registry] });
  const ended = new Counter({
    name: 'flowbridge_runs_ended_total',
    help: 'Runs ended, by final status',
    labelNames: ['status'],
    registers: [registry],
  });
  const actions = new Histogram({
    name: 'flowbridge_action_duration_seconds',
    help: 'Duration of action attempts with effects, by action type and status',
    labelNames: ['type', 'status'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const triggerLatency = new Histogram({
    name: 'flowbridge_trigger_latency_seconds',
    help: 'Time from a trigger request to its answer, by outcome',
    labelNames: ['outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  let read: () => GaugeReadings = () => ({ liveRuns: 0, workInProgress: 0, pendingTimers: () => Promise.resolve(0) });
  new Gauge({
    name: 'flowbridge_live_runs',
    help: 'Runs held in memory by this process',
    registers: [registry],
    collect() {
      this.set(read().liveRuns);
    },
  });
  new Gauge({
    name: 'flowbridge_queue_in_progress',
    help: 'Work items (run wake-ups) this process has claimed and not finished',
    registers: [registry],
    collect() {
      this.set(read().workInProgress);
    },
  });
  new Gauge({
    name: 'flowbridge_timers_pending',
    help: 'Timers of waiting runs not fired yet, in the store, that this process fires when due (0 where no timer loop runs)',
    registers: [registry],
    async collect() {
      this.set(await read().pendingTimers());
    },
  });
  return {
    registry,
    triggerLatency,
    setGauges: (r) => (read = r),
    observer: {
      runStarted: () => started.inc(),
      runEnded: (_flow, status) => ended.inc({ status }),
      actionDone: (type, status, ms) => actions.observe({ type, status }, ms / 1000),
    },
  };
}
