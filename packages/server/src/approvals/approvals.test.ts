import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createEffectExecutor } from '../effects/index.js';
import type { EffectCommand, EffectContext, EffectResult } from '../effects/types.js';
import { callbackKeyFor } from './index.js';
import { signCallbackBody } from '../util/callback-signature.js';
import { harness, type Harness, type ReceivedMail } from './test-support.js';
import { createLinkToken } from './tokens.js';

const RUN = 'run-1';
const PATH = 'Start_and_wait_for_an_approval';
const KEY = callbackKeyFor(RUN, PATH);

function context(h: Harness, runId = RUN): EffectContext {
  return { runId, workflow: { id: 'wf-1', name: 'wf' }, now: () => h.clock.now };
}

function startAndWait(params: Record<string, unknown>, path = PATH, runId = RUN): EffectCommand {
  return {
    kind: 'effect',
    id: `${path}#subscribe1`,
    path,
    actionName: path,
    actionType: 'OpenApiConnectionWebhook',
    operation: 'subscribe',
    inputs: {
      host: {
        apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals',
        connectionName: 'shared_approvals',
        operationId: 'StartAndWaitForAnApproval',
      },
      parameters: params,
      authentication: '@parameters($authentication)',
    },
    attempt: 1,
    idempotencyKey: `${runId}/${path}/1`,
  };
}

function basic(type: string, assignedTo: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    approvalType: type,
    'WebhookApprovalCreationInput/title': 'Buy a laptop',
    'WebhookApprovalCreationInput/assignedTo': assignedTo,
    'WebhookApprovalCreationInput/details': '# Request\n**1200 EUR** <script>alert(1)</script>',
    'WebhookApprovalCreationInput/itemLink': 'https://items.example.com/42',
    'WebhookApprovalCreationInput/itemLinkDescription': 'Item 42',
    'WebhookApprovalCreationInput/requestor': 'eve@example.com;',
    'WebhookApprovalCreationInput/enableNotifications': true,
    ...extra,
  };
}

async function effect(h: Harness, command: EffectCommand, runId = RUN): Promise<EffectResult> {
  const pending = h.approvals.handleEffect(command, context(h, runId));
  assert.ok(pending, 'handleEffect took the command');
  return pending;
}

/** Starts an approval, registers the run's callback (as the host would) and returns its id. */
async function start(h: Harness, params: Record<string, unknown>, path = PATH): Promise<string> {
  const result = await effect(h, startAndWait(params, path));
  assert.equal(result.status, 'Succeeded', JSON.stringify(result));
  h.sink.expect(callbackKeyFor(RUN, path));
  const id = (result.outputs as { body: { name: string } }).body.name;
  assert.match(id, /^[0-9a-f-]{36}$/);
  return id;
}

function linksIn(mail: ReceivedMail): Map<string, string> {
  const links = new Map<string, string>();
  for (const m of mail.text.matchAll(/^([^:\n]+): (http:\/\/flowbridge\.test(\/approvals\/respond\?token=\S+))$/gm)) {
    links.set(m[1] ?? '', m[3] ?? '');
  }
  return links;
}

function mailTo(h: Harness, address: string): ReceivedMail {
  const mail = h.smtp.mails.find((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  assert.ok(mail, `a mail to ${address}`);
  return mail;
}

async function respond(h: Harness, who: string, id: string, response: string, comments = '') {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${id}/respond`,
    headers: { authorization: `Bearer ${who}` },
    payload: { response, comments },
  });
}

async function confirm(h: Harness, url: string, comments: string) {
  const token = new URL(url, 'http://x').searchParams.get('token') ?? '';
  return h.app.inject({
    method: 'POST',
    url: '/approvals/respond',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, comments }).toString(),
  });
}

type Body = {
  outcome: string;
  name: string;
  title: string;
  responses: Array<{ approverResponse: string; comments: string; responder: { email: string; displayName: string } }>;
  responseSummary: string;
  completionDate: string;
  requestDate: string;
  itemLink: string;
};
const bodyOf = (payload: unknown): Body => (payload as { body: Body }).body;

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe('start and wait, answered through the mailed link', () => {
  test('mail → confirmation page (no change) → confirm → one callback with the outcome; the link then refuses', async () => {
    await h.store.createUser({ email: 'ann@example.com', displayName: 'Ann Lee', role: 'Maker' });
    const id = await start(h, basic('Basic', 'ann@example.com;bob@example.com;'));
    const mails = await h.smtp.waitFor(2);
    assert.deepEqual(mails.map((m) => m.to[0]).sort(), ['ann@example.com', 'bob@example.com']);
    const mail = mailTo(h, 'ann@example.com');
    assert.match(mail.subject, /Buy a laptop/);
    assert.match(mail.html, /<h1>Request<\/h1>/);
    assert.match(mail.html, /<strong>1200 EUR<\/strong>/);
    assert.ok(!mail.html.includes('<script>'), 'raw HTML in details is escaped');
    assert.match(mail.html, /&lt;script&gt;/);
    assert.match(mail.html, /href="https:\/\/items\.example\.com\/42"/);
    const links = linksIn(mail);
    assert.deepEqual([...links.keys()], ['Approve', 'Reject']);

    const page = await h.app.inject({ method: 'GET', url: links.get('Approve') ?? '' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/approvals\/respond">/);
    assert.match(page.body, /<textarea/);
    await h.approvals.idle();
    assert.equal((await h.store.getApproval(id))?.status, 'Pending', 'a GET changes nothing');
    assert.equal((await h.store.getApproval(id))?.responses.length, 0);
    assert.equal(h.sink.delivered.length, 0);

    h.clock.now += 60_000;
    const done = await confirm(h, links.get('Approve') ?? '', 'looks fine');
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Response recorded/);
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 1);
    assert.equal(h.sink.delivered[0]?.key, KEY);
    const payload = h.sink.delivered[0]?.payload as { statusCode: number };
    assert.equal(payload.statusCode, 200);
    const body = bodyOf(payload);
    assert.equal(body.outcome, 'Approve');
    assert.equal(body.name, id);
    assert.equal(body.title, 'Buy a laptop');
    assert.equal(body.itemLink, 'https://items.example.com/42');
    assert.equal(body.requestDate, '2024-05-01T08:00:00.000Z');
    assert.equal(body.completionDate, '2024-05-01T08:01:00.000Z');
    assert.equal(body.responses.length, 1);
    assert.equal(body.responses[0]?.approverResponse, 'Approve');
    assert.equal(body.responses[0]?.comments, 'looks fine');
    assert.equal(body.responses[0]?.responder.email, 'ann@example.com');
    assert.equal(body.responses[0]?.responder.displayName, 'Ann Lee');
    assert.match(body.responseSummary, /Ann Lee .*Approve - looks fine/);
    assert.equal((await h.store.getApproval(id))?.status, 'Completed');

    // Single use: the same link, and the other option's link, are refused now.
    const again = await h.app.inject({ method: 'GET', url: links.get('Approve') ?? '' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already used|already responded/i);
    const reject = await confirm(h, links.get('Reject') ?? '', '');
    assert.equal(reject.statusCode, 409);
    const bobs = await confirm(h, linksIn(mailTo(h, 'bob@example.com')).get('Reject') ?? '', '');
    assert.equal(bobs.statusCode, 409, 'a completed approval refuses other links');
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 1);
    const audit = await h.store.listAudit();
    assert.ok(audit.some((a) => a.action === 'approval.respond' && a.actor === 'link:ann@example.com'));
    assert.ok(audit.some((a) => a.action === 'approval.create'));
    assert.ok(audit.some((a) => a.action === 'approval.complete'));
  });

  test('expired and tampered tokens show a clear page', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    await h.smtp.waitFor(1);
    const url = linksIn(mailTo(h, 'ann@example.com')).get('Approve') ?? '';
    const tampered = await h.app.inject({ method: 'GET', url: url.replace(/token=./, 'token=x') });
    assert.equal(tampered.statusCode, 400);
    assert.match(tampered.body, /Invalid link/);
    const forged = createLinkToken('another-secret-0123456789', {
      approvalId: id,
      assignee: 'ann@example.com',
      option: 'Approve',
      expiresAt: h.clock.now + 1000,
    });
    assert.equal((await h.app.inject({ method: 'GET', url: `/approvals/respond?token=${forged}` })).statusCode, 400);
    h.clock.now += 31 * 24 * 3600 * 1000;
    const expired = await h.app.inject({ method: 'GET', url });
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /expired/i);
    assert.equal((await confirm(h, url, '')).statusCode, 410);
    assert.equal((await h.store.getApproval(id))?.status, 'Pending');
  });
});

describe('approval types', () => {
  const cases: Array<{
    name: string;
    type: string;
    options?: string[];
    steps: Array<[who: string, response: string, delivered: string | null]>;
  }> = [
    { name: 'Basic: first to respond', type: 'Basic', steps: [['bob', 'Reject', 'Reject']] },
    {
      name: 'BasicAwaitAll: everyone approves',
      type: 'BasicAwaitAll',
      steps: [
        ['ann', 'Approve', null],
        ['bob', 'Approve', 'Approve'],
      ],
    },
    { name: 'BasicAwaitAll: a reject ends it', type: 'BasicAwaitAll', steps: [['bob', 'Reject', 'Reject']] },
    {
      name: 'CustomResponse: wait for one',
      type: 'CustomResponse',
      options: ['Feedback', 'Later'],
      steps: [['ann', 'Later', 'Later']],
    },
    {
      name: 'CustomResponseAwaitAll: wait for all (different answers are joined)',
      type: 'CustomResponseAwaitAll',
      options: ['Yes', 'No', 'Maybe'],
      steps: [
        ['bob', 'Maybe', null],
        ['ann', 'Yes', 'Maybe, Yes'],
      ],
    },
    {
      name: 'CustomResponseAwaitAll: all agree',
      type: 'CustomResponseAwaitAll',
      options: ['Yes', 'No'],
      steps: [
        ['ann', 'No', null],
        ['bob', 'No', 'No'],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const extra = c.options ? { 'WebhookApprovalCreationInput/responseOptions': c.options } : {};
      const id = await start(h, basic(c.type, 'ann@example.com; bob@example.com', extra));
      await h.smtp.waitFor(2);
      if (c.options) assert.deepEqual([...linksIn(mailTo(h, 'ann@example.com')).keys()], c.options);
      for (const [who, response, delivered] of c.steps) {
        const res = await respond(h, who, id, response, `${who} says ${response}`);
        assert.equal(res.statusCode, 200, res.body);
        await h.approvals.idle();
        if (delivered === null) {
          assert.equal(h.sink.delivered.length, 0);
          assert.equal(res.json().status, 'Pending');
        } else {
          assert.equal(h.sink.delivered.length, 1);
          const body = bodyOf(h.sink.delivered[0]?.payload);
          assert.equal(body.outcome, delivered);
          assert.equal(body.responses.length, c.steps.length);
        }
      }
    });
  }
});

describe('REST API rules', () => {
  test('non-assignees get 403 (admins too), unknown options 400, completed approvals 409', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    assert.equal((await respond(h, 'eve', id, 'Approve')).statusCode, 403);
    assert.equal((await respond(h, 'eve', id, 'Approve')).json().error.code, 'Forbidden');
    assert.equal((await respond(h, 'admin', id, 'Approve')).statusCode, 403);
    const unauth = await h.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/respond`,
      payload: { response: 'Approve' },
    });
    assert.equal(unauth.statusCode, 401);
    const bad = await respond(h, 'ann', id, 'Maybe');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'InvalidResponse');
    assert.equal(
      (await respond(h, 'ann', id, 'Approve')).statusCode,
      200,
      'matched case-insensitively (Ann@Example.com)',
    );
    const late = await respond(h, 'ann', id, 'Reject');
    assert.equal(late.statusCode, 409);
    assert.equal(late.json().error.code, 'AlreadyCompleted');
    assert.equal(
      (
        await h.app.inject({
          method: 'GET',
          url: `/api/v1/approvals/missing`,
          headers: { authorization: 'Bearer ann' },
        })
      ).statusCode,
      404,
    );
  });

  test('lists received and sent, pending and completed; GET one', async () => {
    const first = await start(h, basic('Basic', 'ann@example.com'), 'First');
    const second = await start(h, basic('Basic', 'bob@example.com'), 'Second');
    await respond(h, 'bob', second, 'Approve');
    const list = async (who: string, query: string): Promise<string[]> => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/approvals?${query}`,
        headers: { authorization: `Bearer ${who}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().value as Array<{ id: string }>).map((a) => a.id).sort();
    };
    assert.deepEqual(await list('ann', 'filter=received&status=pending'), [first]);
    assert.deepEqual(await list('bob', 'filter=received&status=pending'), []);
    assert.deepEqual(await list('bob', 'filter=received&status=completed'), [second]);
    assert.deepEqual(await list('eve', 'filter=sent'), [first, second].sort());
    assert.deepEqual(await list('eve', 'filter=received'), []);
    const bad = await h.app.inject({
      method: 'GET',
      url: `/api/v1/approvals?filter=all`,
      headers: { authorization: 'Bearer ann' },
    });
    assert.equal(bad.statusCode, 400);
    const one = await h.app.inject({
      method: 'GET',
      url: `/api/v1/approvals/${second}`,
      headers: { authorization: 'Bearer bob' },
    });
    assert.equal(one.json().outcome, 'Approve');
    const foreign = await h.app.inject({
      method: 'GET',
      url: `/api/v1/approvals/${second}`,
      headers: { authorization: 'Bearer cat' },
    });
    assert.equal(foreign.statusCode, 403);
  });

  test('reassignment (when enabled) moves the request and is recorded', async () => {
    const id = await start(
      h,
      basic('BasicAwaitAll', 'ann@example.com;bob@example.com', {
        'WebhookApprovalCreationInput/enableReassignment': true,
      }),
    );
    await h.smtp.waitFor(2);
    const annLink = linksIn(mailTo(h, 'ann@example.com')).get('Approve') ?? '';
    const moved = await h.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/reassign`,
      headers: { authorization: 'Bearer ann' },
      payload: { to: 'cat@example.com' },
    });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(moved.json().assignedTo, ['cat@example.com', 'bob@example.com']);
    assert.equal(moved.json().reassignments[0].to, 'cat@example.com');
    await h.smtp.waitFor(3);
    assert.ok(linksIn(mailTo(h, 'cat@example.com')).has('Approve'), 'the new assignee is mailed');
    assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 403, 'the previous assignee no longer answers');
    assert.equal((await h.app.inject({ method: 'GET', url: annLink })).statusCode, 403);
    assert.equal((await respond(h, 'bob', id, 'Approve')).statusCode, 200);
    assert.equal((await respond(h, 'cat', id, 'Approve')).statusCode, 200);
    await h.approvals.idle();
    const body = bodyOf(h.sink.delivered[0]?.payload);
    assert.equal(body.outcome, 'Approve');
    assert.deepEqual(body.responses.map((r) => r.responder.email).sort(), ['bob@example.com', 'cat@example.com']);
    assert.ok((await h.store.listAudit()).some((a) => a.action === 'approval.reassign'));
  });

  test('reassignment is refused when not enabled', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/reassign`,
      headers: { authorization: 'Bearer ann' },
      payload: { to: 'cat@example.com' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'ReassignmentDisabled');
  });

  test('two simultaneous responses to a Basic approval give exactly one outcome', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com;bob@example.com'));
    const [a, b] = await Promise.all([respond(h, 'ann', id, 'Approve'), respond(h, 'bob', id, 'Reject')]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 1);
    const body = bodyOf(h.sink.delivered[0]?.payload);
    assert.equal(body.responses.length, 1);
    const winner = a.statusCode === 200 ? 'Approve' : 'Reject';
    assert.equal(body.outcome, winner);
    const view = await h.app.inject({
      method: 'GET',
      url: `/api/v1/approvals/${id}`,
      headers: { authorization: 'Bearer ann' },
    });
    assert.equal(view.json().outcome, winner);
  });

  test('the same assignee answering twice at once is recorded once', async () => {
    const id = await start(h, basic('BasicAwaitAll', 'ann@example.com;bob@example.com'));
    const [a, b] = await Promise.all([respond(h, 'ann', id, 'Approve'), respond(h, 'ann', id, 'Approve')]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
    const view = await h.app.inject({
      method: 'GET',
      url: `/api/v1/approvals/${id}`,
      headers: { authorization: 'Bearer ann' },
    });
    assert.equal(view.json().responses.length, 1);
    assert.equal(view.json().status, 'Pending');
    // Pending or ended, a response has the shape of the action outputs.
    assert.equal(view.json().responses[0].responder.email, 'ann@example.com');
    assert.equal(view.json().responses[0].approverResponse, 'Approve');
  });

  test('cancel: the requestor may, others may not; the waiting run learns ApprovalCanceled', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    const denied = await h.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/cancel`,
      headers: { authorization: 'Bearer ann' },
    });
    assert.equal(denied.statusCode, 403);
    const ok = await h.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/cancel`,
      headers: { authorization: 'Bearer eve' },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().status, 'Cancelled');
    await h.approvals.idle();
    const payload = h.sink.delivered[0]?.payload as {
      statusCode: number;
      body: { outcome: string; error: { code: string } };
    };
    assert.equal(payload.statusCode, 409);
    assert.equal(payload.body.outcome, 'Canceled');
    assert.equal(payload.body.error.code, 'ApprovalCanceled');
    assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 409);
  });
});

describe('durability and lifecycle', () => {
  test('survives a restart while waiting; the mailed link still works', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    await h.smtp.waitFor(1);
    const url = linksIn(mailTo(h, 'ann@example.com')).get('Reject') ?? '';
    await h.restart();
    assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 200);
    assert.equal((await confirm(h, url, 'no budget')).statusCode, 200);
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 1);
    assert.equal(bodyOf(h.sink.delivered[0]?.payload).outcome, 'Reject');
    assert.equal((await h.store.getApproval(id))?.status, 'Completed');
  });

  test('a re-issued subscribe (same idempotency key) finds the approval instead of creating another', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    await h.smtp.waitFor(1);
    const again = await effect(h, startAndWait(basic('Basic', 'ann@example.com')));
    assert.equal(bodyOf(again.outputs).name, id);
    assert.equal((await h.store.listApprovals()).length, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.smtp.mails.length, 1, 'not mailed twice');
  });

  test('cancelApprovalsForRun ends the run’s pending approvals without a callback', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    assert.equal(await h.approvals.cancelApprovalsForRun(RUN), 1);
    assert.equal((await h.store.getApproval(id))?.status, 'Cancelled');
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 0);
    assert.equal(await h.approvals.cancelApprovalsForRun(RUN), 0);
  });

  test('the action timing out (its unsubscribe) expires the approval', async () => {
    const id = await start(h, basic('Basic', 'ann@example.com'));
    const unsub = await effect(h, {
      ...startAndWait(basic('Basic', 'ann@example.com')),
      operation: 'unsubscribe',
      id: `${PATH}#unsubscribe`,
    });
    assert.equal(unsub.status, 'Succeeded');
    assert.equal((await h.store.getApproval(id))?.status, 'Expired');
    assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 409);
  });

  test('an outcome that arrives before the run awaits the callback is redelivered', async () => {
    const result = await effect(h, startAndWait(basic('Basic', 'ann@example.com')));
    const id = bodyOf(result.outputs).name;
    assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 200);
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 0);
    h.sink.expect(KEY); // the host commits the awaitCallback now
    await new Promise((r) => setTimeout(r, 400));
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 1);
  });
});

describe('other shapes: create, wait for, Logic Apps paths', () => {
  test('CreateAnApproval returns the id at once; WaitForAnApproval (path form) receives the outcome', async () => {
    const created = await effect(h, {
      kind: 'effect',
      id: 'Create#1',
      path: 'Create_an_approval',
      actionName: 'Create_an_approval',
      actionType: 'OpenApiConnection',
      inputs: {
        host: {
          connectionName: 'shared_approvals_1',
          operationId: 'CreateAnApproval',
          apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals',
        },
        parameters: {
          approvalType: 'CustomResponse',
          'ApprovalCreationInput/title': 'Pick one',
          'ApprovalCreationInput/assignedTo': 'bob@example.com',
          'ApprovalCreationInput/responseOptions': ['Red', 'Blue'],
        },
      },
      attempt: 1,
      idempotencyKey: `${RUN}/Create_an_approval/1`,
    });
    assert.equal(created.status, 'Succeeded');
    const name = bodyOf(created.outputs).name;
    const wait: EffectCommand = {
      kind: 'effect',
      id: 'Wait#subscribe1',
      path: 'Wait_for_an_approval',
      actionName: 'Wait_for_an_approval',
      actionType: 'ApiConnectionWebhook',
      operation: 'subscribe',
      inputs: {
        host: { connection: { name: '/subscriptions/x/providers/Microsoft.Web/connections/approvals' } },
        body: { notificationUrl: 'http://flowbridge.test/callback' },
        path: `/approvals/${encodeURIComponent(name)}/subscriptions`,
      },
      attempt: 1,
      idempotencyKey: `${RUN}/Wait_for_an_approval/1`,
    };
    assert.equal((await effect(h, wait)).status, 'Succeeded');
    const waitKey = callbackKeyFor(RUN, 'Wait_for_an_approval');
    h.sink.expect(waitKey);
    assert.equal((await respond(h, 'bob', name, 'Blue')).statusCode, 200);
    await h.approvals.idle();
    assert.deepEqual(
      h.sink.delivered.map((d) => d.key),
      [waitKey],
    );
    assert.equal(bodyOf(h.sink.delivered[0]?.payload).outcome, 'Blue');
    // Waiting on an approval that already ended answers at once.
    const late = { ...wait, path: 'Wait_again', idempotencyKey: `${RUN}/Wait_again/1` };
    h.sink.expect(callbackKeyFor(RUN, 'Wait_again'));
    assert.equal((await effect(h, late)).status, 'Succeeded');
    await h.approvals.idle();
    assert.equal(h.sink.delivered.length, 2);
    const missing = await effect(h, {
      ...wait,
      inputs: { ...(wait.inputs as object), path: '/approvals/nope/subscriptions' },
    });
    assert.equal(missing.status, 'Failed');
    assert.equal(missing.error?.code, 'ApprovalNotFound');
  });

  test('Logic Apps ApiConnectionWebhook /types/{type}/subscriptions starts and waits', async () => {
    const result = await effect(h, {
      kind: 'effect',
      id: 'A#subscribe1',
      path: PATH,
      actionName: PATH,
      actionType: 'ApiConnectionWebhook',
      operation: 'subscribe',
      inputs: {
        host: {
          connection: { name: "@parameters('$connections')['approvals']['connectionId']" },
          api: { runtimeUrl: 'https://x/apim/approvals' },
        },
        body: { NotificationUrl: 'http://cb', title: 'LA approval', assignedTo: 'ann@example.com', details: 'd' },
        path: `/types/${encodeURIComponent('BasicAwaitAll')}/subscriptions`,
      },
      attempt: 1,
      idempotencyKey: `${RUN}/${PATH}/1`,
    });
    assert.equal(result.status, 'Succeeded', JSON.stringify(result));
    h.sink.expect(KEY);
    const id = bodyOf(result.outputs).name;
    assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 200);
    await h.approvals.idle();
    assert.equal(bodyOf(h.sink.delivered[0]?.payload).outcome, 'Approve');
  });

  test('invalid inputs fail the action with a code; other connectors are not ours', async () => {
    const bad = await effect(h, startAndWait({ approvalType: 'Basic', 'WebhookApprovalCreationInput/title': 'x' }));
    assert.equal(bad.status, 'Failed');
    assert.equal(bad.error?.code, 'InvalidApprovalInputs');
    const other = startAndWait({});
    other.inputs = { host: { connectionName: 'shared_office365users', operationId: 'SearchUserV2' }, parameters: {} };
    other.actionType = 'OpenApiConnection';
    assert.equal(h.approvals.handleEffect(other, context(h)), null);
  });
});

describe('send mail (shared_office365)', () => {
  test('SendEmailV2 over SMTP, through createEffectExecutor connectorHandlers', async () => {
    const execute = createEffectExecutor({ connectorHandlers: [h.approvals.handleEffect] });
    const result = await execute(
      {
        kind: 'effect',
        id: 'Send#1',
        path: 'Send_an_email_(V2)',
        actionName: 'Send_an_email_(V2)',
        actionType: 'OpenApiConnection',
        inputs: {
          host: {
            connectionName: 'shared_office365',
            operationId: 'SendEmailV2',
            apiId: '/providers/Microsoft.PowerApps/apis/shared_office365',
          },
          parameters: {
            'emailMessage/To': 'ann@example.com;bob@example.com',
            'emailMessage/Subject': 'Project approved',
            'emailMessage/Body': '<p>Your <b>project</b> is approved.</p>',
            'emailMessage/Cc': 'cat@example.com',
            'emailMessage/Bcc': 'eve@example.com',
            'emailMessage/Importance': 'High',
          },
        },
        attempt: 1,
        idempotencyKey: `${RUN}/Send/1`,
      },
      context(h),
    );
    assert.equal(result.status, 'Succeeded', JSON.stringify(result));
    const [mail] = await h.smtp.waitFor(1);
    assert.ok(mail);
    assert.equal(mail.subject, 'Project approved');
    assert.deepEqual(mail.to.sort(), ['ann@example.com', 'bob@example.com', 'cat@example.com', 'eve@example.com']);
    assert.match(mail.headers.cc ?? '', /cat@example\.com/);
    assert.equal(mail.headers.bcc, undefined, 'Bcc is not in the headers');
    assert.match(mail.html, /<b>project<\/b>/);
    assert.match(mail.headers['x-priority'] ?? '', /^1/);
    assert.equal(mail.from, 'flows@example.com');

    const la = await h.approvals.handleEffect(
      {
        kind: 'effect',
        id: 'Mail#1',
        path: 'Send_a_confirmation_email',
        actionName: 'Send_a_confirmation_email',
        actionType: 'ApiConnection',
        inputs: {
          host: { connection: { name: 'shared_office365' }, api: { runtimeUrl: 'https://x/apim/office365' } },
          method: 'post',
          path: '/v2/Mail',
          body: { To: 'cat@example.com', Subject: 'LA mail', Body: '<p>hi</p>' },
        },
        attempt: 1,
        idempotencyKey: `${RUN}/Mail/1`,
      },
      context(h),
    );
    assert.equal(la?.status, 'Succeeded');
    await h.smtp.waitFor(2);
    assert.equal(h.smtp.mails[1]?.subject, 'LA mail');

    const unknown = await execute(
      {
        ...startAndWait({}),
        actionType: 'OpenApiConnection',
        inputs: { host: { connectionName: 'shared_sharepointonline', operationId: 'GetItems' } },
      },
      context(h),
    );
    assert.equal(unknown.error?.code, 'ConnectorNotAvailable');
  });

  test('without SMTP the action fails with MailNotConfigured', async () => {
    const bare = await harness({ mailer: undefined });
    try {
      const r = await bare.approvals.handleEffect(
        {
          kind: 'effect',
          id: 'S',
          path: 'S',
          actionName: 'S',
          actionType: 'OpenApiConnection',
          inputs: {
            host: { connectionName: 'shared_office365', operationId: 'SendEmail' },
            parameters: { 'emailMessage/To': 'a@b.c', 'emailMessage/Subject': 's' },
          },
          attempt: 1,
          idempotencyKey: 'r/S/1',
        },
        context(bare),
      );
      assert.equal(r?.error?.code, 'MailNotConfigured');
    } finally {
      await bare.close();
    }
  });
});

describe('linked host requests and chat', () => {
  async function listen(): Promise<{
    url: string;
    received: Array<{ headers: IncomingHttpHeaders; body: string }>;
    close(): Promise<void>;
  }> {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
  }

  test('the host is called back, signed, on completion; hostSettled is recorded and does not complete the approval', async () => {
    const host = await listen();
    try {
      const id = await start(
        h,
        basic('Basic', 'ann@example.com', { 'WebhookApprovalCreationInput/linkedRequest': { callbackUrl: host.url } }),
      );
      const settled = await h.app.inject({
        method: 'POST',
        url: `/api/v1/approvals/${id}/hostSettled`,
        headers: { authorization: 'Bearer eve' },
        payload: { outcome: 'Approved in the host' },
      });
      assert.equal(settled.statusCode, 200, settled.body);
      assert.equal(settled.json().status, 'Pending', 'one-way sync: not auto-completed');
      assert.equal(settled.json().hostSettlements.length, 1);
      assert.equal(h.sink.delivered.length, 0);
      assert.ok((await h.store.listAudit()).some((a) => a.action === 'approval.hostSettled'));

      assert.equal((await respond(h, 'ann', id, 'Approve')).statusCode, 200);
      await h.approvals.idle();
      assert.equal(host.received.length, 1);
      const call = host.received[0];
      assert.ok(call);
      assert.equal(JSON.parse(call.body).outcome, 'Approve');
      const ts = Number(call.headers['x-flowbridge-timestamp']);
      assert.equal(
        call.headers['x-flowbridge-signature'],
        signCallbackBody('test-link-secret-0123456789', ts, call.body),
      );
    } finally {
      await host.close();
    }
  });

  test('with a host signing secret, linked hosts get callbacks signed with it (never with the link secret)', async () => {
    const host = await listen();
    const hs = await harness({ hostSigningSecret: 'shared-with-hosts-0123456789' });
    try {
      const id = await start(
        hs,
        basic('Basic', 'ann@example.com', { 'WebhookApprovalCreationInput/linkedRequest': { callbackUrl: host.url } }),
      );
      assert.equal((await respond(hs, 'ann', id, 'Reject')).statusCode, 200);
      await hs.approvals.idle();
      const call = host.received[0];
      assert.ok(call);
      const ts = Number(call.headers['x-flowbridge-timestamp']);
      assert.equal(
        call.headers['x-flowbridge-signature'],
        signCallbackBody('shared-with-hosts-0123456789', ts, call.body),
      );
    } finally {
      await hs.close();
      await host.close();
    }
  });

  test('a linked host that fails is tried again until it acknowledges; after a restart only the unacknowledged are posted', async () => {
    let failing = 2;
    const received: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.url ?? '');
        if (req.url === '/flaky' && failing-- > 0) res.writeHead(503).end();
        else if (req.url === '/down') res.writeHead(500).end();
        else res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hr = await harness({ hostRetryDelaysMs: [5, 5, 5] });
    try {
      const until = async (what: string, check: () => boolean) => {
        for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(check(), `${what} (seen: ${received.join(', ')})`);
      };
      const id = await start(
        hr,
        basic('Basic', 'ann@example.com', {
          'WebhookApprovalCreationInput/linkedRequest': { callbackUrl: `${base}/flaky` },
        }),
      );
      const linked = await hr.app.inject({
        method: 'POST',
        url: `/api/v1/approvals/${id}/link`,
        headers: { authorization: 'Bearer admin' },
        payload: { callbackUrl: `${base}/down` },
      });
      assert.equal(linked.statusCode, 200, linked.body);
      assert.equal((await respond(hr, 'ann', id, 'Approve')).statusCode, 200);
      // /flaky: 503, 503, then 200 (acknowledged); /down: the first try and three more, then given up.
      await until('the retries', () => received.filter((u) => u === '/flaky').length === 3);
      await until('the retries', () => received.filter((u) => u === '/down').length === 4);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(received.filter((u) => u === '/flaky').length, 3, 'acknowledged: not posted again');
      await hr.restart();
      received.length = 0;
      assert.equal(await hr.approvals.resume(), 1);
      await until('the resumed post', () => received.includes('/down'));
      assert.ok(!received.includes('/flaky'), 'an acknowledged host is not posted again after a restart');
      const results = (await hr.store.listAudit({ limit: 100 }))
        .filter((a) => a.action === 'approval.hostCallback')
        .map((a) => (a.details as { result: string }).result);
      assert.ok(results.includes('503') && results.includes('200'), `audited attempts: ${results.join(', ')}`);
    } finally {
      await hr.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('link via the API; chat webhook gets a text + card', async () => {
    const host = await listen();
    const chat = await listen();
    const linked = await harness({ chatWebhookUrl: chat.url });
    try {
      const result = await linked.approvals.handleEffect(
        startAndWait(basic('Basic', 'ann@example.com')),
        context(linked),
      );
      const id = bodyOf(result && (await result).outputs).name;
      linked.sink.expect(KEY);
      assert.equal(chat.received.length, 1);
      const message = JSON.parse(chat.received[0]?.body ?? '{}') as { text: string; '@type': string };
      assert.match(message.text, /Buy a laptop/);
      assert.equal(message['@type'], 'MessageCard');
      const denied = await linked.app.inject({
        method: 'POST',
        url: `/api/v1/approvals/${id}/link`,
        headers: { authorization: 'Bearer ann' },
        payload: { callbackUrl: host.url },
      });
      assert.equal(denied.statusCode, 403);
      const ok = await linked.app.inject({
        method: 'POST',
        url: `/api/v1/approvals/${id}/link`,
        headers: { authorization: 'Bearer admin' },
        payload: { callbackUrl: host.url },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await respond(linked, 'ann', id, 'Reject')).statusCode, 200);
      await linked.approvals.idle();
      assert.equal(JSON.parse(host.received[0]?.body ?? '{}').outcome, 'Reject');
    } finally {
      await linked.close();
      await host.close();
      await chat.close();
    }
  });
});
