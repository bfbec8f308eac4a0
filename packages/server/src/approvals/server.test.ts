// The approvals acceptance scenario through the real server, as a user meets it: a flow in the
// exported Power Automate shape with a start-and-wait approval assigned to a user completes after
// that user responds with their own token (the run waits parked, out of memory, and the response
// rebuilds it from its events), and its next action sees the outcome; another user's
// response gets 403; the assignee's mail carries a one-click link to the server's own pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../cli/start.js';
import { startSmtpSink, type SmtpSink } from './test-support.js';

const ADMIN = 'approvals-e2e-admin-token';
const flow = {
  properties: {
    connectionReferences: {
      shared_approvals: { runtimeSource: 'embedded', api: { name: 'shared_approvals' } },
    },
    definition: {
      $schema:
        'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        $connections: { defaultValue: {}, type: 'Object' },
        $authentication: { defaultValue: {}, type: 'SecureObject' },
      },
      triggers: {
        manual: {
          type: 'Request',
          kind: 'Button',
          inputs: { schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
        },
      },
      actions: {
        Start_and_wait_for_an_approval: {
          runAfter: {},
          type: 'OpenApiConnectionWebhook',
          inputs: {
            host: {
              connectionName: 'shared_approvals',
              operationId: 'StartAndWaitForAnApproval',
              apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals',
            },
            parameters: {
              approvalType: 'Basic',
              'WebhookApprovalCreationInput/title': "Approve @{triggerBody()?['text']}",
              'WebhookApprovalCreationInput/assignedTo': 'ann@example.com',
              'WebhookApprovalCreationInput/details': 'Please **approve**',
              'WebhookApprovalCreationInput/enableNotifications': true,
            },
            authentication: "@parameters('$authentication')",
          },
        },
        Outcome: {
          runAfter: { Start_and_wait_for_an_approval: ['Succeeded'] },
          type: 'Compose',
          inputs: "@outputs('Start_and_wait_for_an_approval')?['body/outcome']",
        },
      },
    },
  },
};

let server: RunningServer;
let smtp: SmtpSink;
let dir: string;

async function api(
  method: string,
  path: string,
  token = ADMIN,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function userToken(email: string): Promise<string> {
  const user = await api('POST', '/api/v1/users', ADMIN, { email, displayName: email.split('@')[0], role: 'user' });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const token = await api('POST', `/api/v1/users/${user.body.id}/tokens`, ADMIN, {});
  return token.body.token as string;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowbridge-approvals-e2e-'));
  smtp = await startSmtpSink();
  const silent = { stdout: () => {}, stderr: () => {}, readStdin: async function* () {} };
  server = await startServer(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      role: 'all',
      adminToken: ADMIN,
      logLevel: 'silent',
      smtpUrl: smtp.url,
      mailFrom: 'Flowbridge <flowbridge@localhost>',
    },
    silent,
  );
});

after(async () => {
  await server?.stop();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an exported start-and-wait approval completes when its assignee responds with their own token', async () => {
  const ann = await userToken('ann@example.com');
  const bob = await userToken('bob@example.com');
  const created = await api('POST', '/api/v1/flows', ADMIN, { name: 'approve-invoice', definition: flow });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const started = await api('POST', `/api/v1/flows/${created.body.id}/triggers/manual/run`, ADMIN, {
    text: 'invoice 42',
  });
  assert.ok(started.status >= 200 && started.status < 300, JSON.stringify(started.body));
  const runId = started.body.runId as string;

  // The assignee is mailed a link to this server's confirmation page.
  const [mail] = await smtp.waitFor(1);
  assert.deepEqual(mail!.to, ['ann@example.com']);
  assert.match(mail!.subject, /Approve invoice 42/);
  assert.ok(mail!.html.includes(`${server.url}/approvals/respond?token=`), 'mail links to this server');

  let pending: any[] = [];
  for (let i = 0; i < 50 && pending.length === 0; i++) {
    pending = (await api('GET', '/api/v1/approvals?filter=received&status=pending', ann)).body.value;
    if (pending.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(pending.length, 1);
  const id = pending[0].id as string;

  // Waiting for the response, the run is parked: not held in memory (the response rebuilds it).
  let live = '';
  for (let i = 0; i < 100 && live !== '0'; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    live = /^flowbridge_live_runs(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1] ?? '';
  }
  assert.equal(live, '0', 'the waiting run is not held in memory');

  const refused = await api('POST', `/api/v1/approvals/${id}/respond`, bob, { response: 'Approve' });
  assert.equal(refused.status, 403);
  const answered = await api('POST', `/api/v1/approvals/${id}/respond`, ann, { response: 'Approve', comments: 'ok' });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));

  let run: any;
  for (let i = 0; i < 100; i++) {
    run = (await api('GET', `/api/v1/runs/${runId}?expand=actions`)).body;
    if (run.status !== 'Running' && run.status !== 'Waiting') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(run.status, 'Succeeded');
  assert.equal(run.actions.Outcome.outputs, 'Approve');
  assert.equal(run.actions.Start_and_wait_for_an_approval.outputs.body.responses[0].responder.email, 'ann@example.com');
});
