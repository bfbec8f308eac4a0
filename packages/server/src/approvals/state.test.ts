import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApprovalResponse } from '../store/types.js';
import { connectorOf, parseApprovalSpec, splitAddresses } from './inputs.js';
import { CONTROL, deriveState } from './state.js';
import { verifyLinkToken, createLinkToken } from './tokens.js';
import type { ApprovalSpec } from './types.js';

const spec = (type: ApprovalSpec['approvalType'], options = ['Approve', 'Reject']): ApprovalSpec => ({
  approvalType: type,
  title: 't',
  assignedTo: ['Ann@example.com', 'bob@example.com'],
  details: '',
  itemLink: '',
  itemLinkDescription: '',
  requestor: '',
  enableNotifications: false,
  enableReassignment: true,
  responseOptions: options,
});

let nextId = 1;
const row = (responderId: string, response: string, comments: string | null = null): ApprovalResponse => ({
  id: nextId++,
  approvalId: 'a',
  responderId,
  response,
  comments,
  at: nextId,
});

describe('deriveState', () => {
  const cases: Array<{
    name: string;
    spec: ApprovalSpec;
    rows: ApprovalResponse[];
    outcome: string | undefined;
    counted: number;
  }> = [
    {
      name: 'Basic: first response decides',
      spec: spec('Basic'),
      rows: [row('bob@example.com', 'Reject'), row('ann@example.com', 'Approve')],
      outcome: 'Reject',
      counted: 1,
    },
    {
      name: 'a non-assignee does not count',
      spec: spec('Basic'),
      rows: [row('eve@example.com', 'Approve')],
      outcome: undefined,
      counted: 0,
    },
    {
      name: 'assignees match without case',
      spec: spec('Basic'),
      rows: [row('ann@example.com', 'Approve')],
      outcome: 'Approve',
      counted: 1,
    },
    {
      name: 'BasicAwaitAll waits for all',
      spec: spec('BasicAwaitAll'),
      rows: [row('ann@example.com', 'Approve')],
      outcome: undefined,
      counted: 1,
    },
    {
      name: 'a second answer of the same assignee is ignored',
      spec: spec('BasicAwaitAll'),
      rows: [row('ann@example.com', 'Approve'), row('ann@example.com', 'Reject')],
      outcome: undefined,
      counted: 1,
    },
    {
      name: 'an option not offered is ignored',
      spec: spec('CustomResponse', ['A', 'B']),
      rows: [row('ann@example.com', 'C'), row('bob@example.com', 'B')],
      outcome: 'B',
      counted: 1,
    },
    {
      name: 'reassignment: the new assignee completes AwaitAll',
      spec: spec('BasicAwaitAll'),
      rows: [
        row('ann@example.com', CONTROL.reassign, JSON.stringify({ from: 'Ann@example.com', to: 'cat@example.com' })),
        row('bob@example.com', 'Approve'),
        row('cat@example.com', 'Approve'),
      ],
      outcome: 'Approve',
      counted: 2,
    },
    {
      name: 'no reassignment after responding',
      spec: spec('BasicAwaitAll'),
      rows: [
        row('ann@example.com', 'Approve'),
        row('ann@example.com', CONTROL.reassign, JSON.stringify({ from: 'Ann@example.com', to: 'cat@example.com' })),
        row('cat@example.com', 'Approve'),
      ],
      outcome: undefined,
      counted: 1,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const state = deriveState(c.spec, c.rows);
      assert.equal(state.completion?.outcome, c.outcome);
      assert.equal(state.responses.length, c.counted);
    });
  }
});

describe('inputs', () => {
  test('connector names from every host shape', () => {
    const table: Array<[unknown, string | undefined]> = [
      [{ host: { apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals' } }, 'approvals'],
      [{ host: { connectionName: 'shared_office365_2' } }, 'office365'],
      [
        { host: { connection: { name: '/subscriptions/s/providers/Microsoft.Web/connections/office365-1' } } },
        'office365',
      ],
      [{ host: { api: { runtimeUrl: 'https://x/apim/approvals' } } }, 'approvals'],
      [{ host: { connectionName: 'shared_office365users' } }, undefined],
      [{ host: {} }, undefined],
    ];
    for (const [inputs, expected] of table) assert.equal(connectorOf(inputs), expected, JSON.stringify(inputs));
  });

  test('assignees split on ; and deduplicated without case', () => {
    assert.deepEqual(splitAddresses('a@x.com; B@x.com;;b@x.com;'), ['a@x.com', 'B@x.com']);
  });

  test('spec: prefixed keys, defaults and validation', () => {
    const ok = parseApprovalSpec({
      approvalType: 'customresponseawaitall',
      'ApprovalCreationInput/title': 'T',
      'ApprovalCreationInput/assignedTo': 'a@x.com',
      'ApprovalCreationInput/responseOptions': ['One', 'Two', 'One'],
    });
    assert.ok('spec' in ok);
    assert.equal(ok.spec.approvalType, 'CustomResponseAwaitAll');
    assert.deepEqual(ok.spec.responseOptions, ['One', 'Two']);
    assert.equal(ok.spec.enableNotifications, true);
    assert.equal(ok.spec.enableReassignment, false);
    const bad: unknown[] = [
      { approvalType: 'Nope', title: 'T', assignedTo: 'a@x.com' },
      { approvalType: 'Basic', assignedTo: 'a@x.com' },
      { approvalType: 'Basic', title: 'T', assignedTo: ';' },
      { approvalType: 'CustomResponse', title: 'T', assignedTo: 'a@x.com' },
      { approvalType: 'CustomResponse', title: 'T', assignedTo: 'a@x.com', responseOptions: ['$fb.reassign'] },
      {
        approvalType: 'Basic',
        title: 'T',
        assignedTo: 'a@x.com',
        linkedRequest: { callbackUrl: 'file:///etc/passwd' },
      },
    ];
    for (const source of bad) assert.ok('invalid' in parseApprovalSpec(source), JSON.stringify(source));
  });
});

test('link tokens: bound claims, signature and expiry', () => {
  const token = createLinkToken('secret-0123456789abcdef', {
    approvalId: 'a1',
    assignee: 'Ann@X.com',
    option: 'Approve',
    expiresAt: 1000,
  });
  const ok = verifyLinkToken('secret-0123456789abcdef', token, 999);
  assert.ok(ok.ok);
  assert.equal(ok.claims.assignee, 'ann@x.com');
  assert.equal(ok.claims.option, 'Approve');
  assert.deepEqual(verifyLinkToken('secret-0123456789abcdef', token, 1000), { ok: false, reason: 'Expired' });
  assert.deepEqual(verifyLinkToken('other-secret-0123456789', token, 0), { ok: false, reason: 'BadSignature' });
  const [payload, sig] = token.split('.');
  const swapped = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), o: 'Reject' }),
  ).toString('base64url');
  assert.deepEqual(verifyLinkToken('secret-0123456789abcdef', `${swapped}.${sig}`, 0), {
    ok: false,
    reason: 'BadSignature',
  });
});
