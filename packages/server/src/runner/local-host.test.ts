import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runLocally } from './local-host.js';
import { VirtualClock } from './clock.js';
import { parseMocks } from './mocks.js';
import { startTestServer, type TestServer } from '../effects/test-server.js';
import type { Command, RunEvent, RunInit, StartRun, Step } from './engine-types.js';

/**
 * A scripted stand-in for the engine's Run: each stage issues commands and waits for `expect`
 * events before moving on. It records what the host delivered so tests can check it.
 */
function scripted(script: Array<(events: RunEvent[], init: RunInit) => Command[]>, waitFor: number[] = []) {
  // The run is done once the events after the last scripted stage have arrived.
  const stages = [...script, () => []];
  const delivered: RunEvent[] = [];
  let initSeen: RunInit | undefined;
  const start: StartRun<{ events: RunEvent[]; init: RunInit | undefined }> = (init) => {
    initSeen = init;
    let stage = 0;
    let since: RunEvent[] = [];
    const step = (commands: Command[]): Step => ({
      commands,
      records: [],
      status: stage >= stages.length ? 'Succeeded' : 'Running',
      done: stage >= stages.length,
    });
    const next = (): Step => {
      const s = stages[stage]!;
      stage++;
      const commands = s(since, init);
      since = [];
      return step(commands);
    };
    return {
      run: {
        deliver(event) {
          delivered.push(event);
          since.push(event);
          const need = waitFor[stage - 1] ?? 1;
          if (since.length < need) return step([]);
          return next();
        },
        result: () => ({ events: delivered, init: initSeen }),
      },
      step: next(),
    };
  };
  return start;
}

const init = {
  runId: 'run-1',
  workflow: { id: 'w', name: 'wf' },
  trigger: { name: 'manual', outputs: { body: { n: 2 } } },
};

let server: TestServer;
before(async () => {
  server = await startTestServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
});
after(() => server.close());

describe('LocalHost', () => {
  test('performs an effect, fires an hour-long timer at once on a virtual clock, collects the response', async () => {
    const clock = new VirtualClock(1_000_000);
    const start = scripted([
      () => [
        {
          kind: 'effect',
          id: 'e1',
          path: 'Call',
          actionName: 'Call',
          actionType: 'Http',
          inputs: { method: 'GET', uri: `${server.url}/x` },
          attempt: 1,
          idempotencyKey: 'k',
        },
      ],
      (_, i) => [{ kind: 'timer', key: 'wait', dueAt: i.now + 3_600_000 }],
      () => [{ kind: 'response', path: 'Response', statusCode: 201, headers: { a: 'b' }, body: 'done' }],
    ]);
    const started = Date.now();
    const outcome = await runLocally(start, init, { clock });
    assert.ok(Date.now() - started < 5_000);
    const [effect, timer] = outcome.result.events;
    assert.equal(effect?.kind, 'effectResult');
    assert.deepEqual(effect?.kind === 'effectResult' && effect.result.outputs, {
      statusCode: 200,
      headers: (effect?.kind === 'effectResult' && (effect.result.outputs as { headers: unknown }).headers) || {},
      body: { path: '/x' },
    });
    assert.deepEqual(timer, { kind: 'timer', key: 'wait', now: 1_000_000 + 3_600_000 });
    assert.deepEqual(outcome.response, { statusCode: 201, headers: { a: 'b' }, body: 'done' });
    assert.equal(outcome.result.init?.now, 1_000_000);
    assert.equal(outcome.result.init?.trigger.startTime, new Date(1_000_000).toISOString());
  });

  test('timers fire in due order and a cancelled timer never fires', async () => {
    const clock = new VirtualClock(0);
    const start = scripted(
      [
        () => [
          { kind: 'timer', key: 'late', dueAt: 5_000 },
          { kind: 'timer', key: 'early', dueAt: 1_000 },
          { kind: 'timer', key: 'gone', dueAt: 2_000 },
          { kind: 'cancelWait', key: 'gone' },
        ],
      ],
      [2],
    );
    const outcome = await runLocally(start, init, { clock });
    assert.deepEqual(
      outcome.result.events.map((e) => (e.kind === 'timer' ? `${e.key}@${e.now}` : e.kind)),
      ['early@1000', 'late@5000'],
    );
  });

  test('mocks replace effects (case-insensitive) and unused mocks are reported', async () => {
    const { mocks, errors } = parseMocks({
      actions: { call: { status: 'Failed', outputs: { statusCode: 500 } }, Other: {} },
    });
    assert.deepEqual(errors, []);
    const count = server.requests.length;
    const start = scripted([
      () => [
        {
          kind: 'effect',
          id: 'e1',
          path: 'Call',
          actionName: 'Call',
          actionType: 'Http',
          inputs: { method: 'GET', uri: `${server.url}/x` },
          attempt: 1,
          idempotencyKey: 'k',
        },
      ],
    ]);
    const outcome = await runLocally(start, init, { clock: new VirtualClock(), mocks });
    assert.equal(server.requests.length, count);
    const event = outcome.result.events[0];
    assert.ok(event?.kind === 'effectResult');
    assert.equal(event.result.status, 'Failed');
    assert.deepEqual(event.result.outputs, { statusCode: 500 });
    assert.equal(event.result.error?.code, 'ActionFailed');
    assert.deepEqual(outcome.unusedMocks, ['Other']);
  });

  test('a mocked webhook action gets its outputs as the callback', async () => {
    const { mocks } = parseMocks({ Hook: { status: 'Succeeded', outputs: { body: { approved: true } } } });
    const start = scripted(
      [
        () => [
          {
            kind: 'effect',
            id: 's',
            path: 'Hook',
            actionName: 'Hook',
            actionType: 'HttpWebhook',
            operation: 'subscribe',
            inputs: {},
            attempt: 1,
            idempotencyKey: 'k',
          },
          { kind: 'awaitCallback', key: 'cb1', path: 'Hook' },
        ],
      ],
      [2],
    );
    const outcome = await runLocally(start, init, { clock: new VirtualClock(), mocks });
    const callback = outcome.result.events.find((e) => e.kind === 'callback');
    assert.deepEqual(callback?.kind === 'callback' && callback.payload, { body: { approved: true } });
  });

  test('without a listener a run awaiting a callback stops and says so', async () => {
    const start = scripted([() => [{ kind: 'awaitCallback', key: 'cb', path: 'Hook' }]]);
    const outcome = await runLocally(start, init, { clock: new VirtualClock() });
    assert.deepEqual(outcome.stalled, { reason: 'AwaitingCallback', keys: ['cb'] });
  });

  test('with a listener, a POST to the callback URL is delivered', async () => {
    let callbackUrl = '';
    const start = scripted([
      (_, i) => {
        callbackUrl = `${i.callbackBaseUrl}/${encodeURIComponent('run-1/Hook')}`;
        // Simulate the subscriber calling back a moment later.
        setTimeout(() => {
          void fetch(callbackUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"ok":1}',
          });
        }, 20);
        return [{ kind: 'awaitCallback', key: 'run-1/Hook', path: 'Hook', callbackUrl }];
      },
    ]);
    const outcome = await runLocally(start, init, { listenForCallbacks: true });
    const callback = outcome.result.events[0];
    assert.ok(callback?.kind === 'callback');
    assert.equal(
      (callback.payload as { body: unknown }).body && JSON.stringify((callback.payload as { body: unknown }).body),
      '{"ok":1}',
    );
    assert.match(callbackUrl, /^http:\/\/127\.0\.0\.1:\d+\/callbacks\//);
  });

  test('JavaScriptCode sees the trigger through workflowContext built by the host', async () => {
    const start = scripted([
      () => [
        {
          kind: 'effect',
          id: 'js',
          path: 'Code',
          actionName: 'Code',
          actionType: 'JavaScriptCode',
          inputs: { code: 'return workflowContext.trigger.outputs.body.n * 21;' },
          attempt: 1,
          idempotencyKey: 'k',
        },
      ],
    ]);
    const outcome = await runLocally(start, init, { clock: new VirtualClock() });
    const event = outcome.result.events[0];
    assert.ok(event?.kind === 'effectResult');
    assert.deepEqual(event.result.outputs, { body: 42 });
  });

  test('an abort signal delivers a cancel event', async () => {
    const controller = new AbortController();
    const start = scripted([
      () => {
        setTimeout(() => controller.abort(), 10);
        return [{ kind: 'timer', key: 'far', dueAt: Date.now() + 60_000 }];
      },
    ]);
    const outcome = await runLocally(start, init, { signal: controller.signal });
    assert.equal(outcome.result.events[0]?.kind, 'cancel');
  });
});

describe('parseMocks', () => {
  const cases = [
    { name: 'not an object', json: [1], codes: ['InvalidMockFile'] },
    { name: 'entry not an object', json: { A: 1 }, codes: ['InvalidMock'] },
    { name: 'bad status', json: { A: { status: 'Maybe' } }, codes: ['InvalidMock'] },
    { name: 'valid, status defaults to Succeeded', json: { A: { outputs: 1 } }, codes: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { errors } = parseMocks(c.json);
      assert.deepEqual(
        errors.map((e) => e.code),
        c.codes,
      );
    });
  }
});
