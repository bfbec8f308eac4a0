// Store contract cases (run by store/contract.test.ts on both backends): approvals.
import assert from 'node:assert/strict';
import { rejectsWith } from './support.js';
import type { Case } from './support.js';

export const approvalCases: Case[] = [
  [
    'approvals: responses while pending, completed once',
    async ({ store }) => {
      const a = await store.createApproval({
        runId: 'r',
        path: 'Start_approval',
        details: { title: 'Buy?', assignedTo: ['ann'] },
      });
      assert.equal(a.status, 'Pending');
      await store.addApprovalResponse(a.id, { responderId: 'ann', response: 'Approve', comments: 'ok' });
      assert.equal(await store.completeApproval(a.id, 'Approved'), true);
      assert.equal(await store.completeApproval(a.id, 'Rejected'), false);
      await rejectsWith(store.addApprovalResponse(a.id, { responderId: 'bob', response: 'Reject' }), 'Conflict');
      await rejectsWith(store.addApprovalResponse('nope', { responderId: 'bob', response: 'Reject' }), 'NotFound');
      const got = await store.getApproval(a.id);
      assert.deepEqual(
        [got?.status, got?.responses.map((r) => [r.responderId, r.response, r.comments])],
        ['Approved', [['ann', 'Approve', 'ok']]],
      );
      assert.ok(got?.completedAt);
      assert.equal((await store.listApprovals({ status: 'Pending' })).length, 0);
      assert.equal((await store.listApprovals({ runId: 'r' })).length, 1);
      // A bookkeeping row may follow the end; lists read every approval's responses at once.
      await store.addApprovalResponse(a.id, { responderId: 'system', response: '$fb.note', afterEnd: true });
      const b = await store.createApproval({ details: {} });
      await store.addApprovalResponse(b.id, { responderId: 'cat', response: 'Reject' });
      const all = await store.listApprovalResponses([a.id, b.id, 'nope']);
      assert.deepEqual(
        all.map((r) => [r.approvalId === a.id ? 'a' : 'b', r.responderId]),
        [
          ['a', 'ann'],
          ['a', 'system'],
          ['b', 'cat'],
        ],
      );
      assert.deepEqual(await store.listApprovalResponses([]), []);
    },
  ],
];
