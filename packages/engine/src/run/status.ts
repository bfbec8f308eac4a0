// Container (and run) status from the leaves of each branch (spec §7.3): skipped leaves are
// replaced by their own predecessors until none is skipped; any Failed/Aborted/TimedOut leaf
// left over fails the container, everything else is neutral.
import type { ContainerDef, ActionNode } from '../definition/model.js';
import { FAILING_STATUSES } from '../statuses.js';
import type { ActionStatus, Outcome } from '../statuses.js';

export function deriveStatus(def: ContainerDef, statusOf: (n: ActionNode) => ActionStatus | undefined): Outcome {
  // Mostly no leaf is skipped: then the leaves alone decide, without the walk below.
  let failed = false;
  for (const n of def.leaves) {
    const s = statusOf(n);
    if (s === 'Skipped') return walkSkipped(def, statusOf);
    if (s !== undefined && FAILING_STATUSES.has(s)) failed = true;
  }
  return failed ? 'Failed' : 'Succeeded';
}

function walkSkipped(def: ContainerDef, statusOf: (n: ActionNode) => ActionStatus | undefined): Outcome {
  const seen = new Set<ActionNode>();
  const stack = [...def.leaves];
  while (stack.length > 0) {
    const n = stack.pop() as ActionNode;
    if (seen.has(n)) continue;
    seen.add(n);
    const s = statusOf(n);
    if (s === 'Skipped') {
      for (const e of n.runAfter) stack.push(e.pred);
      continue;
    }
    if (s !== undefined && FAILING_STATUSES.has(s)) return 'Failed';
  }
  return 'Succeeded';
}
