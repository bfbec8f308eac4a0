/**
 * Trigger concurrency for stateless flows, whose runs exist only in memory while they run: per
 * flow, at most `runs` at once, up to `maximumWaitingRuns` more waiting in FIFO order. (Durable
 * flows queue their runs in the store instead, so the limit holds across processes and restarts.)
 */
export interface GateLimit {
  runs: number;
  maximumWaitingRuns: number;
}

interface Gate {
  active: number;
  waiting: Array<{ runId: string; start: () => void }>;
}

export type GateEntry = 'now' | 'queued' | 'full';

export class ConcurrencyGates {
  private readonly gates = new Map<string, Gate>();
  private readonly limits = new Map<string, number>();

  /**
   * Asks for a slot: 'now' (the caller starts the run and must `leave` when it ends), 'queued'
   * (`start` is called when a slot frees) or 'full' (nothing happens).
   */
  enter(flowId: string, runId: string, limit: GateLimit, start: () => void): GateEntry {
    const gate = this.gates.get(flowId) ?? { active: 0, waiting: [] };
    this.gates.set(flowId, gate);
    this.limits.set(flowId, limit.runs);
    if (gate.active < limit.runs && gate.waiting.length === 0) {
      gate.active++;
      return 'now';
    }
    if (gate.waiting.length >= limit.maximumWaitingRuns) return 'full';
    gate.waiting.push({ runId, start });
    return 'queued';
  }

  /** A run of the flow ended: the oldest waiting one takes its slot. */
  leave(flowId: string): void {
    const gate = this.gates.get(flowId);
    if (!gate) return;
    gate.active = Math.max(0, gate.active - 1);
    const runs = this.limits.get(flowId) ?? 1;
    while (gate.active < runs && gate.waiting.length > 0) {
      const next = gate.waiting.shift()!;
      gate.active++;
      next.start();
    }
    if (gate.active === 0 && gate.waiting.length === 0) {
      this.gates.delete(flowId);
      this.limits.delete(flowId);
    }
  }

  /** Whether the run waits for a slot here. */
  isWaiting(runId: string): boolean {
    for (const gate of this.gates.values()) if (gate.waiting.some((w) => w.runId === runId)) return true;
    return false;
  }

  /** Drops a waiting run (it never starts); false when it is not waiting here. */
  cancel(runId: string): boolean {
    for (const gate of this.gates.values()) {
      const i = gate.waiting.findIndex((w) => w.runId === runId);
      if (i >= 0) {
        gate.waiting.splice(i, 1);
        return true;
      }
    }
    return false;
  }
}
