/**
 * The heartbeat of this process in the store's cluster table (GET /api/v1/cluster): written at
 * start and every `intervalMs`, removed at a clean stop. A process that dies simply stops beating
 * and drops out of the list after `staleAfter(intervalMs)`.
 */
import type { ClusterStore, ProcessInfo } from '../store/index.js';
import type { HostLogger } from './types.js';

/** How long a silent process still counts as live: three missed beats. */
export function staleAfter(intervalMs: number): number {
  return intervalMs * 3;
}

export class Heartbeat {
  private handle: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ClusterStore,
    private readonly info: () => Omit<ProcessInfo, 'lastHeartbeat'>,
    private readonly intervalMs: number,
    private readonly log?: HostLogger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.handle = setInterval(() => void this.beat(), this.intervalMs);
    this.handle.unref();
  }

  /** Writes the row now (e.g. right after the leadership changed). */
  beat(): Promise<void> {
    this.beating = this.beating.then(() =>
      this.store.heartbeat(this.info()).catch((error: unknown) => this.log?.warn({ err: error }, 'heartbeat failed')),
    );
    return this.beating;
  }

  /** Stops beating and removes the row: the process leaves the list at once. */
  async stop(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    this.handle = undefined;
    await this.beating;
    await this.store.removeProcess(this.info().id).catch(() => {});
  }
}
