/**
 * A Power Automate export (Request trigger → Start and wait for an approval → Compose reading
 * body/outcome) run through the real engine with a small in-test driver: effects go to
 * handleEffect, the approval is answered through the API, and the delivered callback is fed back.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { compileWorkflow, Run, type Command, type RunEvent, type Step } from '@flowbridge/engine';
import { harness, type Harness } from './test-support.js';

const flow = {
  name: 'approval-flow',
  properties: {
    displayName: 'Approval flow',
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
          kind: 'Http',
          inputs: {
            schema: { type: 'object', properties: { approver: { type: 'string' }, item: { type: 'string' } } },
          },
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
              'WebhookApprovalCreationInput/title': "Approve @{triggerBody()?['item']}",
              'WebhookApprovalCreationInput/assignedTo': "@{triggerBody()?['approver']};",
              'WebhookApprovalCreationInput/details': '**Please** review.',
              'WebhookApprovalCreationInput/enableNotifications': true,
            },
            authentication: "@parameters('$authentication')",
          },
        },
        Compose: {
          runAfter: { Start_and_wait_for_an_approval: ['Succeeded'] },
          type: 'Compose',
          inputs: "@outputs('Start_and_wait_for_an_approval')?['body/outcome']",
        },
        Compose_responder: {
          runAfter: { Compose: ['Succeeded'] },
          type: 'Compose',
          inputs: "@first(outputs('Start_and_wait_for_an_approval')?['body/responses'])?['responder']?['email']",
        },
      },
      outputs: {},
    },
    connectionReferences: {
      shared_approvals: {
        connectionName: 'shared-approvals-1',
        source: 'Embedded',
        id: '/providers/Microsoft.PowerApps/apis/shared_approvals',
      },
    },
  },
};

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

test('a Power Automate approval flow runs through the engine and Compose sees the outcome', async () => {
  const workflow = compileWorkflow(flow);
  const runId = 'run-flow-1';
  const context = { runId, workflow: { id: 'wf-approval', name: 'approval-flow' }, now: () => h.clock.now };
  const started = Run.start(workflow, {
    runId,
    workflow: context.workflow,
    trigger: {
      name: 'manual',
      outputs: { headers: {}, body: { approver: 'ann@example.com', item: 'Laptop' } },
      startTime: new Date(h.clock.now).toISOString(),
    },
    now: h.clock.now,
    callbackBaseUrl: 'http://flowbridge.test/callbacks',
  });
  const run = started.run;
  const awaited: string[] = [];

  // The driver: perform effects with handleEffect and feed every result back until the run waits.
  async function drive(step: Step): Promise<Step> {
    let current = step;
    const queue: Command[] = [...current.commands];
    while (queue.length > 0) {
      const command = queue.shift() as Command;
      if (command.kind === 'awaitCallback') {
        awaited.push(command.key);
        h.sink.expect(command.key);
        continue;
      }
      if (command.kind !== 'effect') continue;
      const pending = h.approvals.handleEffect(command, context);
      assert.ok(pending, `handleEffect took ${command.actionName}`);
      const result = await pending;
      const event: RunEvent = {
        kind: 'effectResult',
        id: command.id,
        path: command.path,
        attempt: command.attempt,
        result,
        now: h.clock.now,
      };
      current = run.deliver(event);
      queue.push(...current.commands);
    }
    return current;
  }

  let step = await drive(started.step);
  assert.equal(step.done, false);
  assert.equal(awaited.length, 1, 'the run waits for the approval');
  const [approval] = await h.store.listApprovals({ runId });
  assert.ok(approval);
  assert.equal(approval.status, 'Pending');
  const [mail] = await h.smtp.waitFor(1);
  assert.match(mail?.subject ?? '', /Approve Laptop/);

  h.clock.now += 5 * 60_000;
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${approval.id}/respond`,
    headers: { authorization: 'Bearer ann' },
    payload: { response: 'Approve', comments: 'ok' },
  });
  assert.equal(res.statusCode, 200, res.body);
  await h.approvals.idle();
  assert.equal(h.sink.delivered.length, 1);
  const delivery = h.sink.delivered[0];
  assert.ok(delivery);
  assert.equal(delivery.key, awaited[0]);

  step = await drive(run.deliver({ kind: 'callback', key: delivery.key, payload: delivery.payload, now: h.clock.now }));
  assert.equal(step.done, true);
  assert.equal(step.status, 'Succeeded');
  const result = run.result() as { actions: Record<string, { status: string; outputs: unknown }> };
  assert.equal(result.actions.Start_and_wait_for_an_approval?.status, 'Succeeded');
  assert.equal(result.actions.Compose?.outputs, 'Approve');
  assert.equal(result.actions.Compose_responder?.outputs, 'ann@example.com');
});
