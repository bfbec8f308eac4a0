/**
 * An approval as the store holds it: read back with the state derived from its rows (state.ts),
 * the control rows appended to it, the compare-and-set that ends it with its outputs, and the audit
 * log of what happened to it. Which rows to append, and when an approval ends, is the service's
 * (service.ts).
 */
import { isStoreError } from '../store/errors.js';
import type { Approval, ApprovalResponse } from '../store/types.js';
import { ApiError } from '../util/api-errors.js';
import { buildOutputs } from './outputs.js';
import { CONTROL, deriveState, type CountedResponse, type DerivedState } from './state.js';
import type { ApprovalsLogger, ApprovalsStore, StoredApprovalDetails } from './types.js';

export interface RecordsDeps {
  store: ApprovalsStore;
  tenantId: string;
  now: () => number;
  log: ApprovalsLogger;
}

export interface LoadedApproval {
  approval: Approval;
  details: StoredApprovalDetails & { countedRowIds?: number[] };
  rows: ApprovalResponse[];
  state: DerivedState;
}

/** A pending approval passes; one that ended is AlreadyCompleted, naming the status it ended with. */
export function mustBePending(loaded: LoadedApproval, id: string): void {
  if (loaded.approval.status !== 'Pending') {
    throw ApiError.of('AlreadyCompleted', `Approval '${id}' is ${loaded.approval.status}.`, id);
  }
}

export class ApprovalRecords {
  constructor(private readonly deps: RecordsDeps) {}

  async load(id: string): Promise<LoadedApproval | undefined> {
    const found = await this.deps.store.getApproval(id);
    if (!found) return undefined;
    const { responses, ...approval } = found;
    const details = approval.details as LoadedApproval['details'];
    if (!details || typeof details !== 'object' || !('spec' in details)) return undefined; // not ours
    return { approval, details, rows: responses, state: deriveState(details.spec, responses) };
  }

  /** Loads many approvals with one query for all their responses (lists). */
  async loadMany(rows: readonly Approval[]): Promise<LoadedApproval[]> {
    const responses = await this.deps.store.listApprovalResponses(rows.map((r) => r.id));
    const byApproval = new Map<string, ApprovalResponse[]>();
    for (const r of responses) {
      const list = byApproval.get(r.approvalId) ?? [];
      list.push(r);
      byApproval.set(r.approvalId, list);
    }
    const out: LoadedApproval[] = [];
    for (const approval of rows) {
      const details = approval.details as LoadedApproval['details'];
      if (!details || typeof details !== 'object' || !('spec' in details)) continue; // not ours
      const mine = byApproval.get(approval.id) ?? [];
      out.push({ approval, details, rows: mine, state: deriveState(details.spec, mine) });
    }
    return out;
  }

  async mustLoad(id: string): Promise<LoadedApproval> {
    const loaded = await this.load(id);
    if (!loaded) throw ApiError.of('NotFound', `Approval '${id}' does not exist.`, id);
    return loaded;
  }

  /**
   * Ends a pending approval with its outputs and the responses that counted (compare-and-set):
   * false when it had ended already.
   */
  async complete(
    id: string,
    status: 'Completed' | 'Cancelled' | 'Expired',
    details: LoadedApproval['details'],
    end: { outcome: string; responses: readonly CountedResponse[]; at: number; endedBy: string },
  ): Promise<boolean> {
    const { outcome, responses, at, endedBy } = end;
    const outputs = await buildOutputs(this.deps.store, id, details, outcome, responses, at, this.deps.tenantId);
    const countedRowIds = responses.map((r) => r.rowId);
    return this.deps.store.completeApproval(id, status, { ...details, outputs, endedBy, countedRowIds });
  }

  async appendControl(id: string, kind: string, by: string, data: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.store.addApprovalResponse(id, {
        responderId: by,
        response: kind,
        comments: JSON.stringify(data),
        at: this.deps.now(),
        // Acknowledgements come after the outcome by nature; they never count as answers.
        ...(kind === CONTROL.hostNotified ? { afterEnd: true } : {}),
      });
    } catch (error) {
      if (isStoreError(error, 'Conflict')) throw ApiError.of('AlreadyCompleted', `Approval '${id}' has ended.`, id);
      throw error;
    }
  }

  audit(actor: string, action: string, id: string, details: unknown): Promise<void> {
    return this.auditTarget(actor, action, `approval/${id}`, details);
  }

  /** The audit log must not be the reason an approval step fails: a failed write is logged. */
  async auditTarget(actor: string, action: string, target: string, details: unknown): Promise<void> {
    try {
      await this.deps.store.appendAudit({ actor, action, target, details, at: this.deps.now() });
    } catch (error) {
      this.deps.log.warn({ target, action, err: String(error) }, 'audit write failed');
    }
  }
}
