import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackPayload, createEffectExecutor, type ChildWorkflowRequest, type WorkflowResolver } from './index.js';
import { startTestServer, type TestServer } from './test-server.js';
import type { EffectCommand, EffectContext } from './types.js';

const context: EffectContext = { runId: 'run-9', workflow: { id: 'w', name: 'wf' }, now: () => 0 };
function command(actionType: string, inputs: unknown, extra: Partial<EffectCommand> = {}): EffectCommand {
  return {
    kind: 'effect',
    id: 'e',
    path: 'A',
    actionName: 'A',
    actionType,
    inputs,
    attempt: 1,
    idempotencyKey: 'run-9/A/1',
    ...extra,
  };
}

describe('Workflow effect', () => {
  const seen: ChildWorkflowRequest[] = [];
  const resolver: WorkflowResolver = async (request) => {
    seen.push(request);
    if (request.workflowId === 'missing') return { error: { code: 'WorkflowNotFound', message: 'no such workflow' } };
    const status = Number((request.body as { status?: number } | null)?.status ?? 200);
    return {
      response: { statusCode: status, headers: { 'Content-Type': 'application/json' }, body: { echo: request.body } },
    };
  };
  const run = createEffectExecutor({ workflowResolver: resolver });

  const cases = [
    { name: '2xx → Succeeded', id: 'child', body: { status: 200 }, status: 'Succeeded', code: undefined },
    {
      name: '4xx → Failed with the reason code',
      id: 'child',
      body: { status: 400 },
      status: 'Failed',
      code: 'BadRequest',
    },
    { name: 'unknown child → WorkflowNotFound', id: 'missing', body: {}, status: 'Failed', code: 'WorkflowNotFound' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await run(
        command('Workflow', {
          host: { workflow: { id: c.id }, triggerName: 'manual' },
          headers: { a: 'b' },
          body: c.body,
        }),
        context,
      );
      assert.equal(result.status, c.status);
      assert.equal(result.error?.code, c.code);
    });
  }

  test('passes id, trigger, headers, body and parent run to the resolver', async () => {
    const result = await run(
      command('workflow', { host: { workflowReferenceName: 'pa-child' }, headers: { n: 1 }, body: { x: 1 } }),
      context,
    );
    assert.deepEqual(result.outputs, {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: { echo: { x: 1 } },
    });
    const request = seen.at(-1)!;
    assert.equal(request.workflowId, 'pa-child');
    assert.equal(request.triggerName, 'manual');
    assert.deepEqual(request.headers, { n: '1' });
    assert.equal(request.parentRunId, 'run-9');
  });

  test('no resolver → WorkflowNotFound; no id → InvalidWorkflowInputs', async () => {
    const bare = createEffectExecutor();
    assert.equal(
      (await bare(command('Workflow', { host: { workflow: { id: 'x' } } }), context)).error?.code,
      'WorkflowNotFound',
    );
    assert.equal((await run(command('Workflow', { host: {} }), context)).error?.code, 'InvalidWorkflowInputs');
  });
});

describe('HttpWebhook effect', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  after(() => server.close());
  const run = createEffectExecutor();

  test('subscribe calls inputs.subscribe with its body', async () => {
    const inputs = {
      subscribe: { method: 'POST', uri: `${server.url}/sub`, body: { callbackUrl: 'http://cb' } },
      unsubscribe: { method: 'DELETE', uri: `${server.url}/unsub` },
    };
    const sub = await run(command('HttpWebhook', inputs, { operation: 'subscribe' }), context);
    assert.equal(sub.status, 'Succeeded');
    assert.equal(server.requests.at(-1)!.method, 'POST');
    assert.equal(server.requests.at(-1)!.body, '{"callbackUrl":"http://cb"}');
    const unsub = await run(command('HttpWebhook', inputs, { operation: 'unsubscribe' }), context);
    assert.equal(unsub.status, 'Succeeded');
    assert.equal(server.requests.at(-1)!.method, 'DELETE');
    assert.equal(server.requests.at(-1)!.url, '/unsub');
  });

  test('no unsubscribe part → nothing sent, Succeeded', async () => {
    const count = server.requests.length;
    const result = await run(
      command('HttpWebhook', { subscribe: { method: 'POST', uri: `${server.url}/sub` } }, { operation: 'unsubscribe' }),
      context,
    );
    assert.equal(result.status, 'Succeeded');
    assert.equal(server.requests.length, count);
  });

  test('subscribe without a uri → InvalidWebhookInputs', async () => {
    const result = await run(
      command('HttpWebhook', { subscribe: { method: 'POST' } }, { operation: 'subscribe' }),
      context,
    );
    assert.equal(result.error?.code, 'InvalidWebhookInputs');
  });

  test('callbackPayload parses a JSON callback body', () => {
    assert.deepEqual(callbackPayload({ 'Content-Type': 'application/json' }, Buffer.from('{"ok":true}')), {
      headers: { 'Content-Type': 'application/json' },
      body: { ok: true },
    });
    assert.deepEqual(callbackPayload({}, new Uint8Array()), { headers: {} });
  });
});

describe('effect routing', () => {
  const run = createEffectExecutor();
  const cases = [
    { type: 'ApiConnection', code: 'ConnectorNotAvailable' },
    { type: 'OpenApiConnection', code: 'ConnectorNotAvailable' },
    { type: 'openapiconnectionwebhook', code: 'ConnectorNotAvailable' },
    { type: 'ServiceProvider', code: 'ConnectorNotAvailable' },
    { type: 'Xslt', code: 'UnsupportedActionType' },
  ];
  for (const c of cases) {
    test(`${c.type} → ${c.code}`, async () => {
      const result = await run(command(c.type, {}), context);
      assert.equal(result.status, 'Failed');
      assert.equal(result.error?.code, c.code);
      assert.notEqual(result.retryable, true);
    });
  }
});
