// The cloud-flow action "Run a flow built with Power Automate for desktop" (shared_uiflow,
// RunUIFlow_V2): it queues a session, the run sleeps, the session's end wakes it; its body is the
// outputs, or it fails with the session's error; a cancelled run cancels its session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { harness, type Harness } from './test-support.js';
import { sessionIdFor } from './uiflow.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cloudFlow(desktopFlowId: string, groupId: string, extra: Record<string, unknown> = {}) {
  return {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: {
      Run_a_flow_built_with_Power_Automate_for_desktop: {
        type: 'OpenApiConnection',
        inputs: {
          host: {
            connectionName: 'shared_uiflow',
            operationId: 'RunUIFlow_V2',
            apiId: '/providers/Microsoft.PowerApps/apis/shared_uiflow',
          },
          parameters: {
            uiFlowId: desktopFlowId,
            runMode: 'unattended',
            machineGroupId: groupId,
            'item/Customer': "@triggerBody()?['customer']",
            ...extra,
          },
          authentication: "@parameters('$authentication')",
        },
      },
      Use_it: {
        type: 'Compose',
        runAfter: { Run_a_flow_built_with_Power_Automate_for_desktop: ['Succeeded'] },
        inputs: "@outputs('Run_a_flow_built_with_Power_Automate_for_desktop')?['body/Invoice']",
      },
    },
    parameters: { $authentication: { type: 'SecureObject', defaultValue: {} } },
    outputs: { invoice: { type: 'String', value: "@outputs('Use_it')" } },
  };
}

describe('RunUIFlow_V2 from a cloud flow', () => {
  let h: Harness;
  let groupId: string;
  let desktopFlowId: string;
  let credential: string;

  const agentCall = (path: string, body: object = {}) => h.call('POST', `/api/agent/v1${path}`, body, credential);
  async function startRun(definition: object, body: object) {
    const flow = await h.call('POST', '/api/v1/flows', { name: `cloud-${Math.random()}`, definition });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const run = await h.call('POST', `/api/v1/flows/${flow.body.id}/triggers/manual/run`, body);
    assert.equal(run.status, 202, JSON.stringify(run.body));
    return run.body.runId as string;
  }
  async function settle(runId: string) {
    for (let i = 0; i < 600; i++) {
      const r = await h.call('GET', `/api/v1/runs/${runId}?expand=actions`);
      if (!['Running', 'Waiting', 'Queued'].includes(r.body.status)) return r.body;
      await sleep(25);
    }
    assert.fail(`run ${runId} did not end`);
  }

  before(async () => {
    // A minute's Retry-After: an action that ends quickly was woken by the session, not by its timer.
    h = await harness({ timing: { actionPollSeconds: 60 } });
    const group = (await h.call('POST', '/api/v1/machine-groups', { name: 'Robots' })).body;
    groupId = group.id;
    desktopFlowId = (
      await h.call('POST', '/api/v1/desktop-flows', {
        name: 'invoice',
        language: 'bash',
        script: 'true',
        inputs: { type: 'object', properties: { Customer: { type: 'string' } }, required: ['Customer'] },
      })
    ).body.id;
    credential = (
      await h.call('POST', '/api/agent/v1/register', { registrationKey: group.registrationKey, name: 'm' }, null)
    ).body.credential;
  });
  after(async () => h.dispose());

  it('waits for the session and gets its outputs as the body', async () => {
    const runId = await startRun(cloudFlow(desktopFlowId, groupId), { customer: 'Contoso' });
    const offer = (await agentCall('/poll', { running: [] })).body.offer;
    const started = await agentCall(`/sessions/${offer.sessionId}/start`);
    assert.deepEqual(started.body.inputs, { Customer: 'Contoso' });
    await sleep(200);
    const waiting = await h.call('GET', `/api/v1/runs/${runId}`);
    assert.equal(waiting.body.status, 'Running');
    const t0 = Date.now();
    await agentCall(`/sessions/${offer.sessionId}/result`, { status: 'Succeeded', outputs: { Invoice: 'INV-1' } });
    const run = await settle(runId);
    assert.ok(Date.now() - t0 < 10_000, 'woken by the session, not by its 60 s Retry-After');
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.outputs.invoice, 'INV-1');
    assert.deepEqual(run.actions.Run_a_flow_built_with_Power_Automate_for_desktop.outputs.body, { Invoice: 'INV-1' });
    const session = await h.store.desktop.getSession(offer.sessionId);
    assert.deepEqual([session?.runId, session?.triggerType], [runId, 0]);
  });

  it("fails with the session's error", async () => {
    const runId = await startRun(cloudFlow(desktopFlowId, groupId), { customer: 'Fabrikam' });
    const offer = (await agentCall('/poll', { running: [] })).body.offer;
    await agentCall(`/sessions/${offer.sessionId}/start`);
    await agentCall(`/sessions/${offer.sessionId}/result`, {
      status: 'Failed',
      errorCode: 'ScriptFailed',
      errorMessage: 'the invoice screen did not open',
    });
    const run = await settle(runId);
    assert.equal(run.status, 'Failed');
    const action = run.actions.Run_a_flow_built_with_Power_Automate_for_desktop;
    assert.deepEqual(action.error, { code: 'ScriptFailed', message: 'the invoice screen did not open' });
    assert.equal(run.actions.Use_it.status, 'Skipped');
  });

  it('fails at once when the inputs do not fit the desktop flow, and queues nothing', async () => {
    const runId = await startRun(cloudFlow(desktopFlowId, groupId), {});
    const run = await settle(runId);
    assert.equal(run.actions.Run_a_flow_built_with_Power_Automate_for_desktop.error.code, 'InvalidDesktopFlowInputs');
    assert.equal((await agentCall('/poll', { running: [] })).body.offer, null);
  });

  it('a cancelled run cancels the session it waits for', async () => {
    const runId = await startRun(cloudFlow(desktopFlowId, groupId), { customer: 'Northwind' });
    await sleep(200);
    const id = sessionIdFor(`${runId}/Run_a_flow_built_with_Power_Automate_for_desktop/1`);
    assert.equal((await h.store.desktop.getSession(id))?.status, 3);
    assert.equal((await h.call('POST', `/api/v1/runs/${runId}/cancel`)).status, 202);
    assert.equal((await settle(runId)).status, 'Cancelled');
    for (let i = 0; i < 200 && (await h.store.desktop.getSession(id))?.status !== 7; i++) await sleep(50);
    assert.equal((await h.store.desktop.getSession(id))?.status, 7);
  });
});
