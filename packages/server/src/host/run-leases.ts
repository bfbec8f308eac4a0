/**
 * Scale-out (a shared store: PostgreSQL, or SQLite under `start --workers`): a process holds a durable run in memory only while it
 * holds the lease on the run's ownership item (`run:<id>` in the work queue), renewed while the run
 * has effects in flight. When a process dies its leases expire and another worker claims the item.
 */
import type { Store } from '../store/index.js';
import type { Live } from './live-run.js';
import type { HostContext } from './types.js';

/** The work-item kind of a run's ownership item. */
export const OWNERSHIP_KIND = 'run';

export function ownershipId(runId: string): string {
  return `run:${runId}`;
}

export function ownershipItem(runId: string): { id: string; runId: string; kind: string } {
  return { id: ownershipId(runId), runId, kind: OWNERSHIP_KIND };
}

/** How the store leases the runs it admits (Store.admitQueuedRuns). */
export type AdmitOwnership = NonNullable<Parameters<Store['admitQueuedRuns']>[2]>;

export class RunLeases {
  private renewHandle: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: HostContext,
    readonly workerId: string,
    readonly leaseMs: number,
  ) {}

  /** Takes the lease on the run's ownership item (writing the item when there is none). */
  acquire(runId: string): Promise<boolean> {
    return this.ctx.store.acquireLease(ownershipId(runId), this.workerId, this.leaseMs, ownershipItem(runId));
  }

  /** Lets go of the run: its ownership item is done. */
  async complete(runId: string): Promise<void> {
    await this.ctx.store.complete(ownershipId(runId));
  }

  /** Hands the run to the other workers now, not when the lease expires. */
  async release(runId: string): Promise<void> {
    await this.ctx.store.release(ownershipId(runId), this.workerId);
  }

  /** Scale-out: admitted runs are leased to this worker in the same transaction; else undefined. */
  admission(): AdmitOwnership | undefined {
    if (!this.ctx.shared) return undefined;
    return {
      workerId: this.workerId,
      // An api-only process admits but does not execute: the item is free for a worker at once.
      leaseMs: this.ctx.executeRuns ? this.leaseMs : 0,
      item: (runId: string) => ({ id: ownershipId(runId), kind: OWNERSHIP_KIND }),
    };
  }

  /**
   * Keeps the leases of the runs held here, every third of the lease; a run whose lease was lost is
   * handed to `lost` (another worker has it).
   */
  startRenewing(held: () => Iterable<Live>, lost: (live: Live) => void): void {
    if (this.renewHandle) return;
    this.renewHandle = setInterval(() => this.renew(held(), lost), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.renewHandle.unref();
  }

  stopRenewing(): void {
    if (this.renewHandle) clearInterval(this.renewHandle);
  }

  private renew(held: Iterable<Live>, lost: (live: Live) => void): void {
    for (const live of held) {
      if (!live.owned || live.done || live.evicted) continue;
      this.ctx.store.extendLease(ownershipId(live.runId), this.workerId, this.leaseMs).then(
        (kept) => {
          if (kept || live.done || live.evicted) return;
          this.ctx.log?.warn({ runId: live.runId }, 'lost the lease on a run; another worker resumes it');
          lost(live);
        },
        (error: unknown) => this.ctx.log?.warn({ err: error, runId: live.runId }, 'renewing a run lease failed'),
      );
    }
  }
}
