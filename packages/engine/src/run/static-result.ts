// Static results (spec §1.5): an action whose runtimeConfiguration enables one does not run; it
// ends with the status and outputs the definition gives (its inputs are still evaluated).
import type { Value } from '@flowbridge/expression';
import type { ActionNode } from '../definition/model.js';
import { isErrorData } from '../json.js';
import { STATIC_RESULT_STATUSES, statusNamed } from '../statuses.js';
import type { ActionStatus } from '../statuses.js';
import type { Settlement } from './host.js';

export function staticOutcome(sr: NonNullable<ActionNode['staticResult']>): {
  status: ActionStatus;
  settlement: Settlement;
} {
  const status = statusNamed(STATIC_RESULT_STATUSES, sr.status) ?? 'Succeeded';
  const settlement: Settlement = { outputs: (sr.outputs ?? null) as Value };
  if (status === 'Failed')
    settlement.error = isErrorData(sr.error) ? sr.error : { code: 'ActionFailed', message: 'Static result Failed.' };
  return { status, settlement };
}
