/**
 * An approval's state is its creation details plus the ordered log of rows in the store's
 * approval_responses table: real responses, and control rows (response starting with `$fb.`) for
 * reassignments, links to host requests, host settlements and extra waiters. Deriving the state
 * from the whole log (rather than updating a row in place) is what makes concurrent responders
 * safe: every reader that sees the completing prefix of the log computes the same outcome, and the
 * store's Pending → Completed compare-and-set picks the one writer.
 */
import type { ApprovalResponse } from '../store/types.js';
import { isRecord } from '../util/json.js';
import { CONTROL_PREFIX } from './inputs.js';
import type { ApprovalSpec, ApprovalType } from './types.js';

export const CONTROL = {
  reassign: `${CONTROL_PREFIX}reassign`,
  link: `${CONTROL_PREFIX}link`,
  hostSettled: `${CONTROL_PREFIX}hostSettled`,
  subscribe: `${CONTROL_PREFIX}subscribe`,
  hostNotified: `${CONTROL_PREFIX}hostNotified`,
} as const;

export interface CountedResponse {
  rowId: number;
  email: string; // lower-case
  response: string;
  comments: string;
  at: number;
}

export interface DerivedState {
  /** Current assignees (display case kept). */
  assignees: string[];
  /** Responses that count, in order (the first per assignee, from a current assignee, before completion). */
  responses: CountedResponse[];
  /** Set once the completion rule is met: the outcome and the responses that led to it. */
  completion?: { outcome: string; at: number; responses: CountedResponse[] };
  reassignments: Array<{ from: string; to: string; at: number; by: string }>;
  links: Array<{ callbackUrl: string; at: number; by: string }>;
  hostSettlements: Array<{ at: number; by: string; details: unknown }>;
  /** Callback keys of runs waiting on this approval besides its own (Wait for an approval). */
  waiters: string[];
  /** Linked host URLs that acknowledged the outcome (2xx): not posted again. */
  notified: string[];
}

export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function controlData(row: ApprovalResponse): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(row.comments ?? '{}');
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

export function deriveState(spec: ApprovalSpec, rows: readonly ApprovalResponse[]): DerivedState {
  const state: DerivedState = {
    assignees: [...spec.assignedTo],
    responses: [],
    reassignments: [],
    links: [],
    hostSettlements: [],
    waiters: [],
    notified: [],
  };
  const ordered = [...rows].sort((a, b) => a.id - b.id);
  for (const row of ordered) {
    if (row.response.startsWith(CONTROL_PREFIX)) {
      applyControl(state, row);
      continue;
    }
    if (state.completion) continue; // arrived after the outcome was decided: not part of it
    const email = row.responderId.toLowerCase();
    if (!state.assignees.some((a) => sameAddress(a, email))) continue;
    if (state.responses.some((r) => r.email === email)) continue; // recorded once per assignee
    if (!spec.responseOptions.includes(row.response)) continue;
    state.responses.push({ rowId: row.id, email, response: row.response, comments: row.comments ?? '', at: row.at });
    const outcome = evaluateCompletion(spec.approvalType, state.assignees, state.responses);
    if (outcome !== null) state.completion = { outcome, at: row.at, responses: [...state.responses] };
  }
  return state;
}

function applyControl(state: DerivedState, row: ApprovalResponse): void {
  const data = controlData(row);
  switch (row.response) {
    case CONTROL.reassign: {
      const from = String(data.from ?? '');
      const to = String(data.to ?? '');
      const index = state.assignees.findIndex((a) => sameAddress(a, from));
      // Only someone who has not answered yet can hand the request on, and only to a newcomer.
      if (state.completion || index < 0 || to === '') return;
      if (state.responses.some((r) => sameAddress(r.email, from))) return;
      if (state.assignees.some((a) => sameAddress(a, to))) return;
      state.assignees[index] = to;
      state.reassignments.push({ from, to, at: row.at, by: row.responderId });
      return;
    }
    case CONTROL.link:
      if (typeof data.callbackUrl === 'string') {
        state.links.push({ callbackUrl: data.callbackUrl, at: row.at, by: row.responderId });
      }
      return;
    case CONTROL.hostSettled:
      state.hostSettlements.push({ at: row.at, by: row.responderId, details: data.details ?? null });
      return;
    case CONTROL.subscribe:
      if (typeof data.key === 'string' && !state.waiters.includes(data.key)) state.waiters.push(data.key);
      return;
    case CONTROL.hostNotified:
      if (typeof data.url === 'string' && !state.notified.includes(data.url)) state.notified.push(data.url);
      return;
  }
}

/** spec §12.2: the outcome once the rule is met, null while the approval still waits. */
export function evaluateCompletion(
  type: ApprovalType,
  assignees: readonly string[],
  responses: readonly CountedResponse[],
): string | null {
  const allAnswered = assignees.every((a) => responses.some((r) => sameAddress(r.email, a)));
  switch (type) {
    case 'Basic':
    case 'CustomResponse':
      return responses[0]?.response ?? null;
    case 'BasicAwaitAll':
      if (responses.some((r) => r.response === 'Reject')) return 'Reject';
      return allAnswered ? 'Approve' : null;
    case 'CustomResponseAwaitAll': {
      if (!allAnswered) return null;
      // [ours, spec §12.2] the common option when all agree, else the options chosen, joined.
      const chosen: string[] = [];
      for (const r of responses) if (!chosen.includes(r.response)) chosen.push(r.response);
      return chosen.join(', ');
    }
  }
}
