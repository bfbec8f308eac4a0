// A run's init is stored without what its runs row's columns hold, and reads back as the same JSON.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compactInit, expandInit, type InitColumns } from './compact-init.js';
import { COMPACT_KEY } from './compact-json.js';

const cols: InitColumns = {
  runId: '01a249b7-2a76-7000-8975-c615a9489099',
  flowId: 'f6778bab-5a44-43cd-9357-115d591a5d9d',
  flowVersion: 3,
  triggerName: 'manual',
  startTime: 1796533070455,
  clientTrackingId: null,
};

/** An init as RunHost.startRun writes it. */
function hostInit(extra: { clientTrackingId?: string; scheduledTime?: string; parameters?: unknown } = {}) {
  return {
    runId: cols.runId,
    workflow: { id: cols.flowId, name: 'orders', version: '3' },
    trigger: {
      name: 'manual',
      outputs: { headers: { Host: '127.0.0.1:8080' }, body: { n: 1 } },
      startTime: new Date(cols.startTime).toISOString(),
      ...(extra.clientTrackingId ? { clientTrackingId: extra.clientTrackingId } : {}),
      ...(extra.scheduledTime ? { scheduledTime: extra.scheduledTime } : {}),
    },
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    now: cols.startTime,
    callbackBaseUrl: `http://127.0.0.1:8080/api/v1/callbacks/${cols.runId}/c2lnbmF0dXJl`,
  };
}

function roundTrip(init: unknown, c: InitColumns = cols): unknown {
  const text = JSON.stringify(init);
  const stored = compactInit(init, c);
  const read = expandInit(JSON.parse(JSON.stringify(stored)), c);
  assert.equal(JSON.stringify(read), text, 'reads back as the same JSON text');
  return stored;
}

describe('compact run init', () => {
  test('a host init leaves out what the columns hold, and the runId in its callbackBaseUrl', () => {
    const stored = roundTrip(hostInit()) as Record<string, unknown>;
    assert.deepEqual(stored, {
      workflow: { name: 'orders' },
      trigger: { outputs: { headers: { Host: '127.0.0.1:8080' }, body: { n: 1 } } },
      callbackBaseUrl: 'http://127.0.0.1:8080/api/v1/callbacks/ /c2lnbmF0dXJl',
      [COMPACT_KEY]: 'rivgbwu',
    });
  });

  test('with a clientTrackingId, a scheduledTime and parameters', () => {
    const stored = roundTrip(
      hostInit({ clientTrackingId: 'abc', scheduledTime: '2026-01-01T00:00:00.000Z', parameters: { p: 1 } }),
      { ...cols, clientTrackingId: 'abc' },
    ) as Record<string, unknown>;
    assert.equal(stored[COMPACT_KEY], 'rivgbkwu');
    assert.deepEqual(stored.parameters, { p: 1 });
  });

  test('values that differ from the columns are kept (an admitted run starts later than its row)', () => {
    const init = { ...hostInit(), now: cols.startTime + 5 };
    const stored = roundTrip({ ...init, workflow: { ...init.workflow, version: '2' } }) as Record<string, unknown>;
    assert.equal(stored.now, cols.startTime + 5);
    assert.deepEqual(stored.workflow, { name: 'orders', version: '2' });
  });

  test('an init in another key order is stored as it is', () => {
    const { runId, ...rest } = hostInit();
    const init = { ...rest, runId };
    assert.equal(compactInit(init, cols), init);
  });

  test('an init with a key of the compact form is stored whole, wrapped', () => {
    const init = { runId: cols.runId, [COMPACT_KEY]: 'r' };
    roundTrip(init);
    assert.deepEqual(roundTrip({ [COMPACT_KEY]: 'x' }), { [COMPACT_KEY]: '!', init: { [COMPACT_KEY]: 'x' } });
  });

  test('a runId with replacement patterns, and values that are not objects', () => {
    const c = { ...cols, runId: 'run-$&-$1' };
    roundTrip({ ...hostInit(), runId: c.runId, callbackBaseUrl: `http://h/cb/${c.runId}/s` }, c);
    for (const v of [null, 1, 'x', [1, 2], {}]) assert.deepEqual(roundTrip(v), v);
    // What JSON writes otherwise than as its keys: a Date, an object with a toJSON.
    roundTrip(new Date(0));
    const init = hostInit();
    const stored = roundTrip({ ...init, trigger: { ...init.trigger, toJSON: () => ({ name: 'other' }) } });
    assert.deepEqual((JSON.parse(JSON.stringify(stored)) as Record<string, unknown>).trigger, { name: 'other' });
  });

  test('an init stored before this rule (no compact key) reads as it is', () => {
    const init = hostInit();
    assert.equal(expandInit(init, { ...cols, runId: 'other' }), init);
  });
});
