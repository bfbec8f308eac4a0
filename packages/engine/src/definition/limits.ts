// The service limits a definition is checked against (spec §15).
export const LIMITS = {
  actions: 500,
  depth: 8,
  nameLength: 80,
  switchCases: 25,
  foreachMax: 50,
  // Trigger concurrency: runs 1..100 (default 25 when turned on); waiting runs up to 200 (LA Standard),
  // default 10 + runs.
  triggerRunsMax: 100,
  triggerRunsDefault: 25,
  waitingRunsMax: 200,
} as const;
