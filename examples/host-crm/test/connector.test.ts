// The CRM's connector through the host kit, in process: every event it emits fits the payload
// schema its triggers promise, and its actions answer the records (or a coded error) to the key only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore } from '@flowbridge/sdk';
import { API_KEY_HEADER, crmConnector } from '../src/connector.js';
import { emissionsOf } from '../src/events.js';
import { Records, type Change, type Result } from '../src/records.js';

const KEY = 'unit-test-connector-key-0123';
const BASE = 'http://crm.test';

function setup() {
  const records = new Records(':memory:');
  const applied: Change[] = [];
  const host = crmConnector({
    records,
    baseUrl: `${BASE}/connector`,
    publicUrl: BASE,
    apiKey: KEY,
    store: memoryStore(),
    apply: (result: Result<Change>) => {
      if (result.ok) applied.push(result.value);
      return result;
    },
  });
  const call = async (method: string, path: string, body?: unknown, key: string | null = KEY) => {
    const res = await host.fetch(
      new Request(`${BASE}/connector${path}`, {
        method,
        headers: { ...(key ? { [API_KEY_HEADER]: key } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { records, host, call, applied };
}

test('every event fits its trigger payload schema, empty fields included (emit refuses one that does not)', async () => {
  const { records, host } = setup();
  const ok = <T>(r: Result<T>): T => (r.ok ? r.value : assert.fail(JSON.stringify(r)));
  const ada = ok(records.create('customers', { name: 'Ada' })); // email and company empty
  const request = ok(records.create('requests', { customerId: ada.id, percent: 5 }));
  const changes = [
    ada,
    ok(records.create('orders', { customerId: ada.id, amount: 1500 })),
    request,
    ok(records.update('customers', ada.id, { status: 'vip' })),
    ok(records.settle(request.id, { approvalId: 'a', approved: true, decidedBy: 'x' }))!,
    ok(records.remove('customers', ada.id)),
  ];
  let emitted = 0;
  for (const change of changes)
    for (const e of emissionsOf(change)) {
      assert.deepEqual(
        await host.emit(e.opId, e.payload, { parameters: e.parameters }),
        [],
        `${e.opId} ${change.table}`,
      );
      emitted++;
    }
  assert.equal(emitted, 10);
  await assert.rejects(host.emit('WhenRecordCreated', { table: 'customers', id: 'one' }), { code: 'InvalidPayload' });
});

test('the actions: Get record, Update record and Add note answer records or coded errors, to the key only', async () => {
  const { call, records, applied } = setup();
  const ada = records.create('customers', { name: 'Ada' });
  assert.ok(ada.ok);
  const request = records.create('requests', { customerId: ada.value.id, percent: 10 });
  assert.ok(request.ok);
  assert.equal((await call('GET', '/records/customers/1', undefined, null)).status, 401);
  assert.equal((await call('GET', '/records/customers/1', undefined, 'wrong-key-0123456789')).status, 401);
  const got = await call('GET', `/records/requests/${request.value.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.status, 'pending');
  assert.equal(got.body.url, `${BASE}/customers/1`);
  assert.equal(got.body.settleUrl, `${BASE}/hooks/requests/${request.value.id}/approval`);
  assert.equal((await call('GET', '/records/customers/99')).body.error.code, 'NotFound');
  assert.equal((await call('GET', '/records/planets/1')).status, 400, 'not one of the tables');

  const updated = await call('PATCH', '/records/customers/1', { status: 'vip' });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.status, 'vip');
  const refused = await call('PATCH', `/records/requests/${request.value.id}`, { status: 'approved' });
  assert.deepEqual(
    [refused.status, refused.body.error.code],
    [400, 'ReadOnlyField'],
    'only an approval settles a request',
  );

  const note = await call('POST', '/customers/1/notes', { body: 'Called them' });
  assert.equal(note.status, 201);
  assert.deepEqual([note.body.body, note.body.author, note.body.customerId], ['Called them', 'flowbridge', 1]);
  assert.equal((await call('POST', '/customers/99/notes', { body: 'x' })).status, 404);
  assert.deepEqual(
    applied.map((c) => `${c.table} ${c.op}`),
    ['customers updated', 'notes created'],
    'changes by flows are told to flows too',
  );
});
