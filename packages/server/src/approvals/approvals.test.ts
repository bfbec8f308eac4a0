import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  harness,
  type Harness,
  RUN,
  PATH,
  KEY,
  startAndWait,
  basic,
  effect,
  start,
  linksIn,
  mailTo,
  respond,
  confirm,
  bodyOf,
} from './test-support.js';
import { createLinkToken } from './tokens.js';

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
