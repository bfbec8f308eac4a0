// The approvals aggregate: approval requests and their responses.
import type { Json } from './json.js';

export type ApprovalStatus = 'Pending' | 'Approved' | 'Rejected' | 'Completed' | 'Cancelled' | (string & {});

export interface Approval {
  id: string;
  runId: string | null;
  path: string | null;
  status: ApprovalStatus;
  details: Json;
  createdAt: number;
  completedAt: number | null;
}

export interface ApprovalResponse {
  id: number;
  approvalId: string;
  responderId: string;
  response: string;
  comments: string | null;
  at: number;
}

export interface ApprovalStore {
  createApproval(input: {
    id?: string;
    runId?: string | null;
    path?: string | null;
    details?: Json;
  }): Promise<Approval>;
  getApproval(id: string): Promise<(Approval & { responses: ApprovalResponse[] }) | undefined>;
  listApprovals(query?: { status?: ApprovalStatus; runId?: string }): Promise<Approval[]>;
  /** The responses of many approvals at once, in the order they were added. */
  listApprovalResponses(approvalIds: string[]): Promise<ApprovalResponse[]>;
  /**
   * Adds a response while the approval is Pending (Conflict after). `afterEnd`: a bookkeeping row
   * that never counts as an answer (e.g. a linked host acknowledged the outcome) may come later.
   */
  addApprovalResponse(
    approvalId: string,
    input: { responderId: string; response: string; comments?: string | null; at?: number; afterEnd?: boolean },
  ): Promise<ApprovalResponse>;
  /** Pending -> status, once: false when it was no longer Pending. */
  completeApproval(id: string, status: ApprovalStatus, details?: Json): Promise<boolean>;
}
