// The cluster aggregate: one heartbeat row per running process, so an operator can see the
// cluster (GET /api/v1/cluster) and a process that stopped heartbeating drops out.

export interface ProcessInfo {
  /** The process's worker id (also the owner of its leases). */
  id: string;
  roles: string[];
  host: string;
  pid: number;
  version: string;
  startedAt: number;
  lastHeartbeat: number;
  /** Runs held in memory by the process at its last heartbeat. */
  liveRuns: number;
  /** Whether it held the cluster leadership at its last heartbeat. */
  leader: boolean;
}

export interface ClusterStore {
  /** Writes (or refreshes) the process's row; lastHeartbeat is the store's clock now. */
  heartbeat(info: Omit<ProcessInfo, 'lastHeartbeat'>): Promise<void>;
  /** The processes whose last heartbeat is at or after `since`, oldest first. */
  listProcesses(since: number): Promise<ProcessInfo[]>;
  /** Removes the process's row (it stopped); false when there was none. */
  removeProcess(id: string): Promise<boolean>;
  /** Removes the rows of processes silent since before `before`; returns how many. */
  pruneProcesses(before: number): Promise<number>;
}
