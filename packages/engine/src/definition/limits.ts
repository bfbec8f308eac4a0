// The service limits a definition is checked against at save time (spec §10). Each is documented in
// API.md ("Save-time limits"); the ones marked [ours] are Flowbridge's where the services give none.
export const LIMITS = {
  actions: 500,
  /** Containers (Scope, If, Switch, Foreach, Until) around an action. */
  depth: 8,
  /** Action and trigger names. */
  nameLength: 80,
  /** One definition string holding an expression (`@...` or `...@{...}...`). */
  expressionLength: 8192,
  /** [ours] The definition serialised as JSON, in bytes (ARM's request limit, 4 MiB). */
  definitionBytes: 4 * 1024 * 1024,
  switchCases: 25,
  foreachMax: 50,
  // Trigger concurrency: runs 1..100 (default 25 when turned on); waiting runs up to 200 (LA Standard),
  // default 10 + runs.
  triggerRunsMax: 100,
  triggerRunsDefault: 25,
  waitingRunsMax: 200,
} as const;
