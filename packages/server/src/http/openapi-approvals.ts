/**
 * OpenAPI section: approvals (approvals/routes.ts): the REST API under /api/v1/approvals and the
 * one-click response pages under /approvals/respond, which the signed link token authenticates.
 */
import { APPROVAL_TYPES } from '../approvals/types.js';
import type { Schema, Section } from './openapi-model.js';
import { anyJson, listOf, nullableStr, ref } from './openapi-model.js';

const dateTimeAt: Schema = { type: 'string', format: 'date-time' };

const schemas: Record<string, Schema> = {
  Approval: {
    type: 'object',
    required: [
      'id',
      'name',
      'status',
      'approvalType',
      'title',
      'assignedTo',
      'responseOptions',
      'requestDate',
      'responses',
    ],
    properties: {
      id: { type: 'string' },
      name: { type: 'string', description: 'The id again (the connector output name).' },
      status: { type: 'string', description: 'Pending, Completed, Cancelled or Expired.' },
      approvalType: { enum: [...APPROVAL_TYPES] },
      title: { type: 'string' },
      details: { type: 'string', description: 'Markdown.' },
      itemLink: { type: 'string' },
      itemLinkDescription: { type: 'string' },
      requestor: { type: 'string' },
      assignedTo: { type: 'array', items: { type: 'string' }, description: 'Current assignees.' },
      responseOptions: { type: 'array', items: { type: 'string' } },
      enableReassignment: { type: 'boolean' },
      requestDate: { type: 'string' },
      completionDate: nullableStr(),
      outcome: nullableStr(),
      responses: {
        type: 'array',
        description:
          'The responses so far, in the shape of the action outputs (while pending, `responder` carries the address only).',
        items: ref('ApprovalResponseOutput'),
      },
      runId: nullableStr(),
      actionPath: nullableStr(),
      workflow: {
        type: ['object', 'null'],
        properties: { id: { type: 'string' }, name: { type: 'string' } },
      },
      reassignments: {
        type: 'array',
        items: {
          type: 'object',
          properties: { from: { type: 'string' }, to: { type: 'string' }, at: dateTimeAt, by: { type: 'string' } },
        },
      },
      linkedRequests: {
        type: 'array',
        items: {
          type: 'object',
          required: ['callbackUrl'],
          properties: { callbackUrl: { type: 'string' }, at: dateTimeAt, by: { type: 'string' } },
        },
      },
      hostSettlements: {
        type: 'array',
        items: { type: 'object', properties: { at: dateTimeAt, by: { type: 'string' }, details: anyJson } },
      },
    },
  },
  ApprovalResponseOutput: {
    type: 'object',
    required: ['responder', 'approverResponse'],
    properties: {
      responder: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          displayName: { type: 'string' },
          email: { type: 'string' },
          tenantId: { type: 'string' },
          userPrincipalName: { type: 'string' },
        },
      },
      requestDate: { type: 'string' },
      responseDate: { type: 'string' },
      approverResponse: { type: 'string' },
      comments: { type: 'string' },
    },
  },
  ApprovalRespond: {
    type: 'object',
    required: ['response'],
    properties: {
      response: { type: 'string', description: 'One of the responseOptions (Approve/Reject for the Basic types).' },
      comments: { type: 'string', maxLength: 4000 },
    },
  },
};

const id = { id: 'The approval id.' };
const approval = { description: 'The approval', schema: ref('Approval') };
const manager = 'Forbidden: only the requestor, the flow owner, an operator or an admin';
const ended = 'AlreadyCompleted: the approval has ended';

/** The one-click pages answer HTML, also for their failures. */
const page = (description: string): { description: string; media: 'html' } => ({ description, media: 'html' });
const pageFailures = {
  '400': page('Invalid link'),
  '403': page('No longer assigned to this person'),
  '409': page('Already used, or the approval has already completed'),
  '410': page('The link has expired'),
};

export const approvalsSection: Section = {
  tags: [
    {
      name: 'approvals',
      description:
        'Approvals (shared_approvals connector): list, read, respond, reassign, cancel, link; one-click pages.',
    },
  ],
  schemas,
  operations: [
    {
      operationId: 'listApprovals',
      method: 'get',
      path: '/api/v1/approvals',
      summary: 'Approvals assigned to the caller (received) or requested by them / their flows (sent)',
      tag: 'approvals',
      query: [
        { name: 'filter', description: "Default 'received'.", schema: { enum: ['received', 'sent'] } },
        { name: 'status', description: 'Default: both.', schema: { enum: ['pending', 'completed'] } },
      ],
      responses: {
        '200': { description: 'The approvals', schema: listOf(ref('Approval')) },
        '400': 'InvalidRequest: a bad filter or status',
      },
    },
    {
      operationId: 'getApproval',
      method: 'get',
      path: '/api/v1/approvals/{id}',
      summary: 'Read an approval (its assignees and those who manage it)',
      tag: 'approvals',
      pathParams: id,
      responses: { '200': approval, '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'respondToApproval',
      method: 'post',
      path: '/api/v1/approvals/{id}/respond',
      summary: 'Respond as an assignee (with their own credentials only)',
      tag: 'approvals',
      pathParams: id,
      body: { schema: ref('ApprovalRespond') },
      responses: {
        '200': approval,
        '400': 'InvalidRequest, or InvalidResponse: not one of the response options',
        '403': 'Forbidden: only an assignee can respond',
        '404': 'NotFound',
        '409': 'AlreadyCompleted or AlreadyResponded',
      },
    },
    {
      operationId: 'reassignApproval',
      method: 'post',
      path: '/api/v1/approvals/{id}/reassign',
      summary: 'Hand your request on to someone else (an assignee who has not responded)',
      tag: 'approvals',
      pathParams: id,
      body: {
        schema: { type: 'object', required: ['to'], properties: { to: { type: 'string', format: 'email' } } },
      },
      responses: {
        '200': approval,
        '400': 'InvalidRequest: `to` is not one email address, or already an assignee',
        '403': 'Forbidden (not an assignee) or ReassignmentDisabled',
        '404': 'NotFound',
        '409': 'AlreadyCompleted or AlreadyResponded',
      },
    },
    {
      operationId: 'cancelApproval',
      method: 'post',
      path: '/api/v1/approvals/{id}/cancel',
      summary: 'Cancel an approval (the waiting action fails with ApprovalCanceled)',
      tag: 'approvals',
      pathParams: id,
      responses: { '200': approval, '403': manager, '404': 'NotFound', '409': ended },
    },
    {
      operationId: 'linkApproval',
      method: 'post',
      path: '/api/v1/approvals/{id}/link',
      summary: "Link a host application's request: its callback URL is called when the approval ends",
      tag: 'approvals',
      pathParams: id,
      body: {
        schema: {
          type: 'object',
          required: ['callbackUrl'],
          properties: { callbackUrl: { type: 'string', format: 'uri', description: 'An http(s) URL.' } },
        },
      },
      responses: {
        '200': approval,
        '400': 'InvalidRequest: not an http(s) URL',
        '403': manager,
        '404': 'NotFound',
        '409': ended,
      },
    },
    {
      operationId: 'markApprovalHostSettled',
      method: 'post',
      path: '/api/v1/approvals/{id}/hostSettled',
      summary: 'Record that the host application settled its linked request itself (the approval stays as it is)',
      tag: 'approvals',
      pathParams: id,
      body: { schema: anyJson, required: false, description: 'Details kept with the record.' },
      responses: { '200': approval, '403': manager, '404': 'NotFound', '409': ended },
    },
    {
      operationId: 'showApprovalResponsePage',
      method: 'get',
      path: '/approvals/respond',
      summary: 'One-click link from the mail: a confirmation page (changes nothing)',
      description: 'No bearer token: the signed `token` names the approval, the assignee and the option.',
      tag: 'approvals',
      access: 'none',
      query: [{ name: 'token', description: 'The signed link token.', schema: { type: 'string' }, required: true }],
      responses: { '200': page('The confirmation page, whose form POSTs the response'), ...pageFailures },
    },
    {
      operationId: 'submitApprovalResponsePage',
      method: 'post',
      path: '/approvals/respond',
      summary: "The confirmation page's form: records the response",
      description: 'No bearer token: the signed `token` is the credential, used once.',
      tag: 'approvals',
      access: 'none',
      body: {
        schema: {
          type: 'object',
          required: ['token'],
          properties: { token: { type: 'string' }, comments: { type: 'string', maxLength: 4000 } },
        },
        media: ['application/x-www-form-urlencoded', 'application/json'],
      },
      responses: { '200': page('Response recorded'), ...pageFailures },
    },
  ],
};
