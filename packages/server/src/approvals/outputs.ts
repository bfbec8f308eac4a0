/** The action outputs of an approval (spec §12.4) and the callback payload that carries them. */
import type { PeopleStore } from '../store/types.js';
import type { CountedResponse } from './state.js';
import type { ApprovalOutputs, ApprovalResponseOutput, Responder, StoredApprovalDetails } from './types.js';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Who answered, as flows read it (`responder/displayName`, `responder/email`). */
export async function resolveResponder(store: PeopleStore, email: string, tenantId: string): Promise<Responder> {
  const user = await store.getUserByEmail(email);
  return {
    id: user?.id ?? email,
    displayName: user?.displayName || email,
    email: user?.email ?? email,
    tenantId,
    userPrincipalName: user?.email ?? email,
  };
}

export async function buildOutputs(
  store: PeopleStore,
  approvalId: string,
  details: StoredApprovalDetails,
  outcome: string,
  responses: readonly CountedResponse[],
  completedAt: number,
  tenantId: string,
): Promise<ApprovalOutputs> {
  const out: ApprovalResponseOutput[] = [];
  for (const r of responses) {
    out.push({
      responder: await resolveResponder(store, r.email, tenantId),
      requestDate: details.requestDate,
      responseDate: iso(r.at),
      approverResponse: r.response,
      comments: r.comments,
    });
  }
  const { spec } = details;
  return {
    name: approvalId,
    title: spec.title,
    details: spec.details,
    itemLink: spec.itemLink,
    itemLinkDescription: spec.itemLinkDescription,
    requestDate: details.requestDate,
    completionDate: iso(completedAt),
    outcome,
    responseSummary: summarise(out),
    responses: out,
  };
}

function summarise(responses: readonly ApprovalResponseOutput[]): string {
  if (responses.length === 0) return 'No responses.';
  return responses
    .map((r) => {
      const who =
        r.responder.displayName === r.responder.email
          ? r.responder.email
          : `${r.responder.displayName} (${r.responder.email})`;
      return `${who}: ${r.approverResponse}${r.comments !== '' ? ` - ${r.comments}` : ''}`;
    })
    .join('\n');
}

/** What the waiting action receives: `{statusCode, headers, body}` (spec §6.24). */
export function callbackPayloadFor(outputs: ApprovalOutputs, ended: 'Completed' | 'Cancelled' | 'Expired'): unknown {
  const headers = { 'Content-Type': 'application/json' };
  if (ended === 'Completed') return { statusCode: 200, headers, body: outputs };
  // [ours, spec §12.1] a cancelled approval fails the waiting action with ApprovalCanceled.
  return {
    statusCode: 409,
    headers,
    body: { ...outputs, error: { code: 'ApprovalCanceled', message: `The approval was ${ended.toLowerCase()}.` } },
  };
}
