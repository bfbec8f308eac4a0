import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createEffectExecutor } from '../effects/index.js';
import type { EffectCommand } from '../effects/types.js';
import { callbackKeyFor } from './index.js';
import { signCallbackBody } from '../util/callback-signature.js';
import {
  harness,
  type Harness,
  RUN,
  PATH,
  KEY,
  context,
  startAndWait,
  basic,
  effect,
  start,
  respond,
  bodyOf,
} from './test-support.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
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
