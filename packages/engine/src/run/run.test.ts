import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWorkflow, replay, Run } from '../index.js';
import type { Command, RunInit } from '../index.js';

const init: RunInit = {
  runId: 'run-7',
  workflow: { id: 'wf', name: 'wf' },
  trigger: { name: 'manual', outputs: { body: { u: 'https://api.test' } }, startTime: '2025-01-01T00:00:00Z' },
  now: Date.UTC(2025, 0, 1),
};

test('effect commands carry attempt and idempotency key; pending() lists what is unanswered', () => {
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: {
      Call: {
        type: 'Http',
        inputs: {
          method: 'GET',
          uri: "@triggerBody()['u']",
          retryPolicy: { type: 'fixed', count: 1, interval: 'PT5S' },
        },
      },
    },
  });
  const { run, step } = Run.start(wf, init);
  const cmd = step.commands[0] as Extract<Command, { kind: 'effect' }>;
  assert.equal(cmd.kind, 'effect');
  assert.equal(cmd.attempt, 1);
  assert.equal(cmd.idempotencyKey, 'run-7/Call/1');
  assert.deepEqual(cmd.inputs, { method: 'GET', uri: 'https://api.test' });
  assert.deepEqual(run.pending(), [cmd]);
  const s2 = run.deliver({
    kind: 'effectResult',
    id: cmd.id,
    path: cmd.path,
    attempt: 1,
    result: { status: 'Failed', outputs: { statusCode: 503 } },
    now: init.now + 100,
  });
  const timer = s2.commands[0];
  assert.equal(timer?.kind, 'timer');
  assert.equal(timer?.kind === 'timer' && timer.dueAt, init.now + 100 + 5000);
  const s3 = run.deliver({
    kind: 'timer',
    key: (timer as Extract<Command, { kind: 'timer' }>).key,
    now: init.now + 5100,
  });
  const retry = s3.commands[0] as Extract<Command, { kind: 'effect' }>;
  assert.equal(retry.attempt, 2);
  assert.equal(retry.idempotencyKey, 'run-7/Call/2');
  const s4 = run.deliver({
    kind: 'effectResult',
    id: retry.id,
    path: retry.path,
    attempt: 2,
    result: { status: 'Succeeded', outputs: { statusCode: 200, body: 'ok' } },
    now: init.now + 5200,
  });
  assert.equal(s4.done, true);
  assert.equal(s4.status, 'Succeeded');
  assert.equal(run.result().actions.Call?.retryHistory?.length, 2);
  assert.deepEqual(run.pending(), []);
});

test('a cancel event cancels what runs and skips what has not started', () => {
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: {
      Delay: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Day' } } },
      After: { type: 'Compose', inputs: 1, runAfter: { Delay: ['Succeeded'] } },
    },
  });
  const { run, step } = Run.start(wf, init);
  assert.equal(step.commands[0]?.kind, 'timer');
  assert.equal(step.status, 'Running');
  const s = run.deliver({ kind: 'cancel', now: init.now + 1000 });
  assert.equal(s.done, true);
  assert.equal(s.status, 'Cancelled');
  assert.ok(s.commands.some((c) => c.kind === 'cancelWait'));
  const r = run.result();
  assert.equal(r.actions.Delay?.status, 'Cancelled');
  assert.equal(r.actions.After?.status, 'Skipped');
});

test('guid() and rand() are deterministic per run id and survive replay', () => {
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: { G: { type: 'Compose', inputs: { g: '@guid()', r: '@rand(0, 1000000)' } } },
  });
  const a = Run.start(wf, init).run.result();
  const b = replay(wf, init, []).run.result();
  const c = Run.start(wf, { ...init, runId: 'other' }).run.result();
  assert.deepEqual(a.actions.G?.outputs, b.actions.G?.outputs);
  assert.notDeepEqual(a.actions.G?.outputs, c.actions.G?.outputs);
  assert.match(
    String((a.actions.G?.outputs as { g: string }).g),
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test('a webhook step waits for its callback and exposes the callback URL', () => {
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: {
      Hook: {
        type: 'HttpWebhook',
        inputs: {
          subscribe: { method: 'POST', uri: 'https://h.test', body: { cb: '@listCallbackUrl()' } },
          unsubscribe: { method: 'DELETE', uri: 'https://h.test' },
        },
      },
    },
  });
  const { run, step } = Run.start(wf, { ...init, callbackBaseUrl: 'https://fb.test/cb' });
  const sub = step.commands[0] as Extract<Command, { kind: 'effect' }>;
  assert.equal(sub.operation, 'subscribe');
  const cb = (sub.inputs as { body: { cb: string } }).body.cb;
  assert.ok(cb.startsWith('https://fb.test/cb/'));
  const s2 = run.deliver({
    kind: 'effectResult',
    id: sub.id,
    path: sub.path,
    attempt: 1,
    result: { status: 'Succeeded', outputs: { statusCode: 200 } },
    now: init.now,
  });
  const wait = s2.commands[0] as Extract<Command, { kind: 'awaitCallback' }>;
  assert.equal(wait.kind, 'awaitCallback');
  assert.equal(wait.callbackUrl, cb);
  assert.equal(s2.status, 'Waiting');
  const s3 = run.deliver({ kind: 'callback', key: wait.key, payload: { body: { ok: true } }, now: init.now + 10 });
  assert.ok(s3.commands.some((c) => c.kind === 'effect' && c.operation === 'unsubscribe'));
  assert.equal(s3.status, 'Succeeded');
  assert.deepEqual(run.result().actions.Hook?.outputs, { body: { ok: true } });
});

test('a callback base given as a function is called once, and only by a run that needs a URL', () => {
  let calls = 0;
  const base = (): string => {
    calls++;
    return 'https://fb.test/cb';
  };
  const plain = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: { Compose: { type: 'Compose', inputs: 1 } },
  });
  assert.equal(Run.start(plain, { ...init, callbackBaseUrl: base }).step.status, 'Succeeded');
  assert.equal(calls, 0);
  const hooks = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: {
      A: {
        type: 'HttpWebhook',
        inputs: { subscribe: { method: 'POST', uri: 'https://h.test', body: '@listCallbackUrl()' } },
      },
      B: {
        type: 'HttpWebhook',
        inputs: { subscribe: { method: 'POST', uri: 'https://h.test', body: '@listCallbackUrl()' } },
      },
    },
  });
  const { step } = Run.start(hooks, { ...init, callbackBaseUrl: base });
  const urls = step.commands.flatMap((c) => (c.kind === 'effect' ? [c.inputs as { body: string }] : []));
  assert.equal(urls.length, 2);
  for (const u of urls) assert.ok(u.body.startsWith('https://fb.test/cb/'), u.body);
  assert.equal(calls, 1);
  // Left out of the init's JSON, which a host stores.
  assert.equal(JSON.stringify({ ...init, callbackBaseUrl: base }).includes('callbackBaseUrl'), false);
});

test('trigger() carries the Recurrence occurrence as scheduledTime when the host gives one', () => {
  const wf = compileWorkflow({
    triggers: { Every: { type: 'Recurrence', recurrence: { frequency: 'Hour', interval: 1 } } },
    actions: { When: { type: 'Compose', inputs: "@trigger()?['scheduledTime']" } },
  });
  const scheduled: RunInit = {
    ...init,
    trigger: { ...init.trigger, name: 'Every', scheduledTime: '2025-01-01T00:00:00.000Z' },
  };
  const { run } = Run.start(wf, scheduled);
  assert.equal(run.result().actions.When?.outputs, '2025-01-01T00:00:00.000Z');
  assert.equal(Run.start(wf, init).run.result().actions.When?.outputs, null);
});

test('inputs that use secured outputs (of an action or of the trigger) are hidden in run history too', () => {
  const secure = (props: string[]) => ({ runtimeConfiguration: { secureData: { properties: props } } });
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request', kind: 'Http', ...secure(['outputs']) } },
    actions: {
      Secret: { type: 'Compose', inputs: 'swordfish', ...secure(['outputs']) },
      UsesSecret: { type: 'Compose', inputs: "@{outputs('Secret')}!", runAfter: { Secret: ['Succeeded'] } },
      UsesTrigger: { type: 'Compose', inputs: "@triggerBody()?['u']" },
      Plain: { type: 'Compose', inputs: 'visible', runAfter: { Secret: ['Succeeded'] } },
    },
  });
  const result = Run.start(wf, init).run.result();
  const mask = '*** secured ***';
  assert.equal(result.actions.Secret?.inputs, 'swordfish');
  assert.equal(result.actions.Secret?.outputs, mask);
  assert.equal(result.actions.UsesSecret?.inputs, mask);
  assert.equal(result.actions.UsesSecret?.outputs, 'swordfish!', 'only the inputs are hidden, as in Logic Apps');
  assert.equal(result.actions.UsesTrigger?.inputs, mask);
  assert.equal(result.actions.Plain?.inputs, 'visible');
  assert.equal(result.trigger.outputs, mask);
});

test('records share plain JSON instead of copying it: a Compose records one object as inputs and outputs', () => {
  const wf = compileWorkflow({
    triggers: { manual: { type: 'Request' } },
    actions: {
      Reply: { type: 'Compose', inputs: { u: "@triggerBody()['u']", n: '@float(2)' } },
      Echo: { type: 'Compose', inputs: '@triggerBody()', runAfter: { Reply: ['Succeeded'] } },
    },
  });
  const { run, step } = Run.start(wf, init);
  const [reply, echo] = step.records;
  assert.deepEqual(reply?.inputs, { u: 'https://api.test', n: 2 });
  assert.equal(reply?.outputs, reply?.inputs);
  // Already plain JSON (the trigger's body): recorded as it is.
  assert.equal(echo?.inputs, (init.trigger.outputs as { body: unknown }).body);
  // The run result reads the same JSON, made once.
  assert.equal(run.result().actions.Reply?.outputs, reply?.outputs);
});

test("outcome() is result()'s status, error, response and outputs: answered, answered at once, failed, with outputs", () => {
  const flows: Array<[object, string]> = [
    [
      {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: { R: { type: 'Response', inputs: { statusCode: 201, body: "@triggerBody()['u']" } } },
        outputs: { o: { type: 'String', value: 'x' } },
      },
      'manual',
    ],
    [
      { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: { C: { type: 'Compose', inputs: 1 } } },
      'manual',
    ],
    [
      {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: { T: { type: 'Terminate', inputs: { runStatus: 'Failed', runError: { code: 'E', message: 'm' } } } },
      },
      'MANUAL',
    ],
  ];
  for (const [definition, triggerName] of flows) {
    const { run, step } = Run.start(compileWorkflow(definition), {
      ...init,
      trigger: { ...init.trigger, name: triggerName },
    });
    assert.equal(step.done, true);
    const { status, error, response, outputs } = run.result();
    assert.deepEqual(run.outcome(), { status, error, response, outputs });
  }
});
