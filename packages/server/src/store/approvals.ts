// The approvals aggregate over the driver: approval requests and their responses.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, placeholders, sOrNull } from './rows.js';
import type { Approval, ApprovalResponse, ApprovalStore } from './approval-types.js';

function toApproval(r: Row): Approval {
  return {
    id: String(r.id),
    runId: sOrNull(r.run_id),
    path: sOrNull(r.path),
    status: String(r.status),
    details: fromJson(r.details),
    createdAt: n(r.created_at),
    completedAt: nOrNull(r.completed_at),
  };
}

function toResponse(r: Row): ApprovalResponse {
  return {
    id: n(r.id),
    approvalId: String(r.approval_id),
    responderId: String(r.responder_id),
    response: String(r.response),
    comments: sOrNull(r.comments),
    at: n(r.at),
  };
}

export function approvalStore({ driver, now, check }: StoreContext): ApprovalStore {
  return {
    async createApproval(input) {
      check();
      const approval: Approval = {
        id: input.id ?? randomUUID(),
        runId: input.runId ?? null,
        path: input.path ?? null,
        status: 'Pending',
        details: input.details ?? null,
        createdAt: now(),
        completedAt: null,
      };
      await driver.run(
        'INSERT INTO approvals (id, run_id, path, status, details, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          approval.id,
          approval.runId,
          approval.path,
          approval.status,
          toJsonOrNull(input.details, 'details'),
          approval.createdAt,
        ],
      );
      return approval;
    },

    async getApproval(id) {
      check();
      const [r] = await driver.all('SELECT * FROM approvals WHERE id = ?', [id]);
      if (!r) return undefined;
      const responses = await driver.all('SELECT * FROM approval_responses WHERE approval_id = ? ORDER BY id', [id]);
      return { ...toApproval(r), responses: responses.map(toResponse) };
    },

    async listApprovalResponses(approvalIds) {
      check();
      const out: ApprovalResponse[] = [];
      // In slices: one statement per 500 approvals, not one per approval.
      for (let i = 0; i < approvalIds.length; i += 500) {
        const ids = approvalIds.slice(i, i + 500);
        const rows = await driver.all(
          `SELECT * FROM approval_responses WHERE approval_id IN (${placeholders(ids.length)}) ORDER BY id`,
          ids,
        );
        out.push(...rows.map(toResponse));
      }
      return out;
    },

    async listApprovals(query = {}) {
      check();
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.status !== undefined) {
        where.push('status = ?');
        params.push(query.status);
      }
      if (query.runId !== undefined) {
        where.push('run_id = ?');
        params.push(query.runId);
      }
      const rows = await driver.all(
        `SELECT * FROM approvals${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`,
        params,
      );
      return rows.map(toApproval);
    },

    async addApprovalResponse(approvalId, input) {
      check();
      const at = input.at ?? now();
      return driver.transaction(async (c) => {
        const lock = driver.dialect === 'postgres' ? ' FOR SHARE' : '';
        const [a] = await c.all(`SELECT status FROM approvals WHERE id = ?${lock}`, [approvalId]);
        if (!a) throw new StoreError('NotFound', `approval ${approvalId} does not exist`, { target: approvalId });
        if (a.status !== 'Pending' && !input.afterEnd) {
          throw new StoreError('Conflict', `approval ${approvalId} is ${String(a.status)}, no longer Pending`, {
            target: approvalId,
          });
        }
        const [r] = await c.all(
          `INSERT INTO approval_responses (approval_id, responder_id, response, comments, at) VALUES (?, ?, ?, ?, ?)
           RETURNING *`,
          [approvalId, input.responderId, input.response, input.comments ?? null, at],
        );
        if (!r) throw new StoreError('Internal', 'insert returned no row');
        return toResponse(r);
      });
    },

    async completeApproval(id, status, details) {
      check();
      const sets = details === undefined ? '' : ', details = ?';
      const params = details === undefined ? [] : [toJson(details, 'details')];
      const changed = await driver.run(
        `UPDATE approvals SET status = ?, completed_at = ?${sets} WHERE id = ? AND status = 'Pending'`,
        [status, now(), ...params, id],
      );
      return changed > 0;
    },
  };
}
