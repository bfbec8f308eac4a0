/**
 * The approvals service: creating approvals, recording responses, reassignments, links and
 * cancellations, deciding completion, and handing the outcome to whoever waits (the run through
 * the CallbackSink, linked host applications over HTTP: delivery.ts). Nothing in memory matters: every decision
 * is re-derived from the store (records.ts), so an approval survives restarts and several processes.
 */
import { isStoreError } from '../store/errors.js';
import type { ApprovalResponse } from '../store/types.js';
import { ApiError } from '../util/api-errors.js';
import { RequestNotifier, type Mailer } from './notify.js';
import { callbackPayloadFor, iso } from './outputs.js';
import { CONTROL, sameAddress } from './state.js';
import { OutcomeDelivery } from './delivery.js';
import { ApprovalRecords, mustBePending, type LoadedApproval } from './records.js';
import type { ApprovalSpec, ApprovalsLogger, ApprovalsStore, CallbackSink, StoredApprovalDetails } from './types.js';

export interface ServiceDeps {
  store: ApprovalsStore;
  callbacks: CallbackSink;
  mailer: Mailer | undefined;
  chatWebhookUrl: string | undefined;
  publicBaseUrl: () => string;
  linkSecret: string;
  /** Signs linked-host callbacks (x-flowbridge-signature). */
  hostSigningSecret: string;
  linkTtlMs: number;
  tenantId: string;
  now: () => number;
  log: ApprovalsLogger;
  fetch: typeof fetch;
  hostRetryDelaysMs?: number[];
}

type Ended = 'Completed' | 'Cancelled' | 'Expired';

export class ApprovalService {
  readonly records: ApprovalRecords;
  private readonly notifier: RequestNotifier;
  private readonly delivery: OutcomeDelivery;

  constructor(readonly deps: ServiceDeps) {
    this.records = new ApprovalRecords(deps);
    this.notifier = new RequestNotifier({
      ...deps,
      audit: (id, details) => this.records.audit('system', 'approval.notifyFailed', id, details),
    });
    this.delivery = new OutcomeDelivery({
      ...deps,
      hostNotified: (id, url, status) =>
        this.records.appendControl(id, CONTROL.hostNotified, 'system', { url, status }),
      audit: (id, details) => this.records.audit('system', 'approval.hostCallback', id, details),
    });
  }

  // ---------------------------------------------------------------- creating

  /** Creates the approval once per id (a re-issued effect finds it) and notifies on first creation. */
  async create(input: {
    id: string;
    spec: ApprovalSpec;
    runId: string | null;
    path: string | null;
    callbackKey: string | null;
    workflow?: { id: string; name: string };
    actor: string;
  }): Promise<LoadedApproval> {
    const existing = await this.records.load(input.id);
    if (existing) return existing;
    const details: StoredApprovalDetails = {
      spec: input.spec,
      requestDate: iso(this.deps.now()),
      callbackKey: input.callbackKey,
      ...(input.workflow ? { workflow: input.workflow } : {}),
    };
    try {
      await this.deps.store.createApproval({ id: input.id, runId: input.runId, path: input.path, details });
    } catch (error) {
      if (!isStoreError(error, 'Conflict')) throw error;
      return this.records.mustLoad(input.id); // created by a concurrent attempt of the same effect
    }
    await this.records.audit(input.actor, 'approval.create', input.id, {
      approvalType: input.spec.approvalType,
      assignedTo: input.spec.assignedTo,
      runId: input.runId,
      path: input.path,
    });
    if (input.spec.enableNotifications) {
      for (const assignee of input.spec.assignedTo) await this.notifier.notifyAssignee(input.id, input.spec, assignee);
      await this.notifier.notifyChat(input.id, input.spec);
    }
    return this.records.mustLoad(input.id);
  }

  // ---------------------------------------------------------------- responding

  /**
   * Records one response of an assignee. The response row is appended only while the approval is
   * Pending (the store checks in its transaction); completion is a compare-and-set, so when two
   * responses race exactly one outcome is stored and delivered, and the other caller learns it lost.
   */
  async respond(input: {
    id: string;
    email: string;
    response: string;
    comments: string;
    actor: string;
    via: 'api' | 'link';
  }): Promise<LoadedApproval> {
    const email = input.email.trim().toLowerCase();
    const loaded = await this.records.mustLoad(input.id);
    mustBePending(loaded, input.id);
    if (!loaded.state.assignees.some((a) => sameAddress(a, email))) {
      throw ApiError.of('Forbidden', 'Only an assignee of this approval can respond to it.', input.id);
    }
    if (loaded.state.responses.some((r) => r.email === email)) {
      throw ApiError.of('AlreadyResponded', 'You have already responded to this approval.', input.id);
    }
    if (!loaded.details.spec.responseOptions.includes(input.response)) {
      throw ApiError.of(
        'InvalidResponse',
        `'${input.response}' is not one of the options: ${loaded.details.spec.responseOptions.join(', ')}.`,
        'response',
      );
    }
    let row: ApprovalResponse;
    try {
      row = await this.deps.store.addApprovalResponse(input.id, {
        responderId: email,
        response: input.response,
        comments: input.comments,
        at: this.deps.now(),
      });
    } catch (error) {
      if (isStoreError(error, 'Conflict'))
        throw ApiError.of('AlreadyCompleted', `Approval '${input.id}' has ended.`, input.id);
      throw error;
    }
    const after = await this.settle(input.id);
    const counted =
      after.approval.status === 'Pending'
        ? after.state.responses.some((r) => r.rowId === row.id)
        : (after.details.countedRowIds ?? []).includes(row.id);
    await this.records.audit(input.actor, 'approval.respond', input.id, {
      responder: email,
      response: input.response,
      via: input.via,
      counted,
    });
    if (!counted) {
      // Lost a race: another response decided the approval, or this assignee's other response came first.
      if (after.approval.status !== 'Pending') {
        throw ApiError.of('AlreadyCompleted', `Approval '${input.id}' was completed by another response.`, input.id);
      }
      throw ApiError.of('AlreadyResponded', 'You have already responded to this approval.', input.id);
    }
    return after;
  }

  /** Completes the approval when its rule is met (compare-and-set), then delivers the outcome. */
  async settle(id: string): Promise<LoadedApproval> {
    const loaded = await this.records.mustLoad(id);
    const completion = loaded.state.completion;
    if (loaded.approval.status !== 'Pending' || !completion) return loaded;
    const end = { ...completion, endedBy: 'completion' };
    if (await this.records.complete(id, 'Completed', loaded.details, end)) {
      await this.records.audit('system', 'approval.complete', id, { outcome: completion.outcome });
      await this.deliverEnd(id);
    }
    return this.records.mustLoad(id);
  }

  // ---------------------------------------------------------------- ending otherwise

  async end(id: string, status: 'Cancelled' | 'Expired', actor: string): Promise<boolean> {
    const loaded = await this.records.load(id);
    if (!loaded || loaded.approval.status !== 'Pending') return false;
    const at = this.deps.now();
    const outcome = status === 'Cancelled' ? 'Canceled' : 'Expired';
    const end = { outcome, responses: loaded.state.responses, at, endedBy: actor };
    if (!(await this.records.complete(id, status, loaded.details, end))) return false;
    await this.records.audit(actor, status === 'Cancelled' ? 'approval.cancel' : 'approval.expire', id, {});
    return true;
  }

  /** Cancelled by a person: the waiting run learns it (its action fails with ApprovalCanceled). */
  async cancel(id: string, actor: string): Promise<LoadedApproval> {
    const loaded = await this.records.mustLoad(id);
    mustBePending(loaded, id);
    if (await this.end(id, 'Cancelled', actor)) await this.deliverEnd(id);
    else throw ApiError.of('AlreadyCompleted', `Approval '${id}' has ended.`, id);
    return this.records.mustLoad(id);
  }

  /** The run was cancelled: its pending approvals end; nobody in the run is left to tell. */
  async cancelForRun(runId: string): Promise<number> {
    let count = 0;
    for (const approval of await this.deps.store.listApprovals({ runId, status: 'Pending' })) {
      if (await this.end(approval.id, 'Cancelled', 'system')) {
        count++;
        await this.notifyLinkedHosts(approval.id);
      }
    }
    return count;
  }

  /** The waiting action timed out (its unsubscribe): the approval it created expires. */
  async expireForAction(runId: string, path: string): Promise<void> {
    for (const approval of await this.deps.store.listApprovals({ runId, status: 'Pending' })) {
      if (approval.path !== path) continue;
      if (await this.end(approval.id, 'Expired', 'system')) await this.notifyLinkedHosts(approval.id);
    }
  }

  // ---------------------------------------------------------------- reassign, link, host settled, waiters

  async reassign(id: string, actorEmail: string, to: string, actor: string): Promise<LoadedApproval> {
    const loaded = await this.records.mustLoad(id);
    const target = to.trim();
    if (!/^[^\s@;,]+@[^\s@;,]+$/.test(target)) {
      throw ApiError.of('InvalidRequest', "'to' must be one email address.", 'to');
    }
    mustBePending(loaded, id);
    if (!loaded.details.spec.enableReassignment) {
      throw ApiError.of('ReassignmentDisabled', 'This approval does not allow reassignment.', id);
    }
    const from = loaded.state.assignees.find((a) => sameAddress(a, actorEmail));
    if (from === undefined) throw ApiError.of('Forbidden', 'Only an assignee can reassign their request.', id);
    if (loaded.state.responses.some((r) => sameAddress(r.email, from))) {
      throw ApiError.of('AlreadyResponded', 'You have already responded to this approval.', id);
    }
    if (loaded.state.assignees.some((a) => sameAddress(a, target))) {
      throw ApiError.of('InvalidRequest', `${target} is already an assignee.`, 'to');
    }
    await this.records.appendControl(id, CONTROL.reassign, actorEmail.toLowerCase(), { from, to: target });
    await this.records.audit(actor, 'approval.reassign', id, { from, to: target });
    const after = await this.records.mustLoad(id);
    if (!after.state.assignees.some((a) => sameAddress(a, target))) {
      throw ApiError.of('AlreadyResponded', 'The reassignment came after your response.', id);
    }
    if (after.details.spec.enableNotifications) await this.notifier.notifyAssignee(id, after.details.spec, target);
    return this.settle(id);
  }

  async link(id: string, callbackUrl: string, actor: string): Promise<LoadedApproval> {
    const loaded = await this.records.mustLoad(id);
    mustBePending(loaded, id);
    await this.records.appendControl(id, CONTROL.link, actor, { callbackUrl });
    await this.records.audit(actor, 'approval.link', id, { callbackUrl });
    return this.records.mustLoad(id);
  }

  /**
   * The host application settled its own request first. Sync is one-way (approval → host), so the
   * approval stays as it is; we only record that the host moved on.
   */
  async hostSettled(id: string, details: unknown, actor: string): Promise<LoadedApproval> {
    const loaded = await this.records.mustLoad(id);
    if (loaded.approval.status === 'Pending') {
      await this.records.appendControl(id, CONTROL.hostSettled, actor, { details: details ?? null });
    }
    await this.records.audit(actor, 'approval.hostSettled', id, {
      details: details ?? null,
      status: loaded.approval.status,
    });
    return this.records.mustLoad(id);
  }

  /** Wait for an approval: the run's key joins the waiters; an approval that already ended answers at once. */
  async addWaiter(id: string, key: string): Promise<void> {
    const loaded = await this.records.mustLoad(id);
    if (loaded.approval.status === 'Pending' && loaded.details.callbackKey !== key) {
      try {
        await this.records.appendControl(id, CONTROL.subscribe, 'system', { key });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
    // It may have ended before (or while) the key was added: deliver ourselves (exactly-once anyway).
    const now = await this.records.mustLoad(id);
    if (now.approval.status !== 'Pending' && now.details.outputs) {
      this.delivery.toRun(key, callbackPayloadFor(now.details.outputs, now.approval.status as Ended));
    }
  }

  // ---------------------------------------------------------------- delivering the end

  /** After the approval ended: the run waiting on it and any other waiters, then linked hosts. */
  async deliverEnd(id: string): Promise<void> {
    const loaded = await this.records.mustLoad(id);
    const outputs = loaded.details.outputs;
    if (loaded.approval.status === 'Pending' || !outputs) return;
    const payload = callbackPayloadFor(outputs, loaded.approval.status as Ended);
    const keys = [loaded.details.callbackKey, ...loaded.state.waiters].filter(
      (k): k is string => typeof k === 'string',
    );
    for (const key of keys) this.delivery.toRun(key, payload);
    await this.notifyLinkedHosts(id, loaded);
  }

  private async notifyLinkedHosts(id: string, loaded?: LoadedApproval): Promise<void> {
    const current = loaded ?? (await this.records.mustLoad(id));
    const outputs = current.details.outputs;
    if (!outputs) return;
    const urls = [
      ...(current.details.spec.linkedRequest ? [current.details.spec.linkedRequest.callbackUrl] : []),
      ...current.state.links.map((l) => l.callbackUrl),
    ].filter((url) => !current.state.notified.includes(url));
    for (const url of new Set(urls)) this.delivery.toHost(id, url, current.approval.status, outputs);
  }

  async redeliver(id: string): Promise<void> {
    await this.deliverEnd(id);
  }

  /**
   * After a restart: for approvals that ended in the last `withinMs`, delivers the outcome again to
   * runs still waiting on it (delivery is exactly-once) and posts it to linked hosts that did not
   * acknowledge it. Returns how many approvals it looked at.
   */
  async resume(withinMs: number): Promise<number> {
    const since = this.deps.now() - withinMs;
    let seen = 0;
    for (const status of ['Approved', 'Rejected', 'Completed', 'Cancelled']) {
      for (const approval of await this.deps.store.listApprovals({ status })) {
        if (approval.completedAt === null || approval.completedAt < since) continue;
        seen++;
        await this.deliverEnd(approval.id).catch((error: unknown) =>
          this.deps.log.warn({ approvalId: approval.id, err: String(error) }, 'resuming an approval failed'),
        );
      }
    }
    return seen;
  }

  // ---------------------------------------------------------------- plumbing

  /** Resolves once every delivery under way has settled (tests, a stop). */
  idle(): Promise<void> {
    return this.delivery.idle();
  }

  async close(): Promise<void> {
    await this.delivery.close();
    this.deps.mailer?.close();
  }
}
