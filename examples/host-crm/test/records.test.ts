// The CRM's own logic: records checked against tables.ts with coded errors, changes, settling a
// request from an approval exactly once, and the trigger events each change amounts to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv } from '../src/config.js';
import { emissionsOf, TRIGGERS } from '../src/events.js';
import { Records, type Change, type Result } from '../src/records.js';

const fresh = () => new Records(':memory:', () => new Date('2026-12-06T10:00:00Z'));
const ok = <T>(r: Result<T>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
};

test('bad input gets a coded error naming the field', () => {
  const crm = fresh();
  const ada = ok(crm.create('customers', { name: 'Ada' }));
  const cases: Array<[Result<unknown>, string, string]> = [
    [crm.create('customers', {}), 'MissingField', 'name'],
    [crm.create('customers', { name: 'B', status: 'king' }), 'InvalidField', 'status'],
    [crm.create('customers', { name: 'B', shoe: 42 }), 'UnknownField', 'shoe'],
    [crm.create('orders', { customerId: ada.id, amount: 'lots' }), 'InvalidField', 'amount'],
    [crm.create('orders', { customerId: ada.id, amount: -1 }), 'InvalidField', 'amount'],
    [crm.create('orders', { customerId: 999, amount: 1 }), 'NotFound', 'customerId'],
    [crm.create('requests', { customerId: ada.id, percent: 101 }), 'InvalidField', 'percent'],
    [crm.create('requests', { customerId: ada.id, percent: 5, status: 'approved' }), 'ReadOnlyField', 'status'],
    [crm.update('requests', 1, { status: 'approved' }), 'NotFound', 'requests/1'],
    [crm.find('planets', 1), 'UnknownTable', 'planets'],
    [crm.find('customers', 'x'), 'NotFound', 'customers/x'],
  ];
  for (const [result, code, target] of cases) {
    assert.equal(result.ok, false, JSON.stringify(result));
    if (!result.ok) assert.deepEqual([result.error.code, result.error.target], [code, target]);
  }
  const order = ok(crm.create('orders', { customerId: ada.id, amount: '12.5' }));
  const moved = crm.update('orders', order.id, { customerId: 2 });
  assert.equal(!moved.ok && moved.error.code, 'ReadOnlyField');
});

test('form text becomes typed values with defaults; an update reports only what changed', () => {
  const crm = fresh();
  const ada = ok(crm.create('customers', { name: ' Ada ', email: '', company: 'Analytical' }));
  assert.deepEqual(
    { ...ada.after, id: undefined },
    {
      id: undefined,
      name: 'Ada',
      email: null,
      company: 'Analytical',
      status: 'lead',
      createdAt: '2026-12-06T10:00:00.000Z',
      updatedAt: '2026-12-06T10:00:00.000Z',
    },
  );
  const order = ok(crm.create('orders', { customerId: String(ada.id), amount: '1200' }));
  assert.equal(order.after?.amount, 1200);
  assert.equal(order.after?.status, 'open');
  const same = ok(crm.update('customers', ada.id, { name: 'Ada', company: 'Analytical' }));
  assert.deepEqual(same.changed, []);
  const vip = ok(crm.update('customers', ada.id, { name: 'Ada', status: 'vip' }));
  assert.deepEqual(vip.changed, ['status']);
  assert.equal(vip.before?.status, 'lead');
  assert.equal(vip.after?.status, 'vip');
});

test('deleting a customer deletes its orders, notes and requests', () => {
  const crm = fresh();
  const ada = ok(crm.create('customers', { name: 'Ada' }));
  ok(crm.create('orders', { customerId: ada.id, amount: 1 }));
  ok(crm.create('notes', { customerId: ada.id, body: 'hi' }));
  const gone = ok(crm.remove('customers', ada.id));
  assert.equal(gone.before?.name, 'Ada');
  assert.deepEqual([crm.list('orders'), crm.list('notes')], [[], []]);
});

test('an approval settles a pending request once; its redelivery changes nothing; another approval is refused', () => {
  const crm = fresh();
  const ada = ok(crm.create('customers', { name: 'Ada' }));
  const request = ok(crm.create('requests', { customerId: ada.id, percent: 10, reason: 'loyal' }));
  assert.equal(request.after?.status, 'pending');
  const outcome = { approvalId: 'a-1', approved: true, decidedBy: 'ann@example.com' };
  const settled = ok(crm.settle(request.id, outcome));
  assert.deepEqual(settled?.changed.sort(), ['approvalId', 'decidedBy', 'status']);
  assert.equal(crm.get('requests', request.id)?.status, 'approved');
  assert.equal(ok(crm.settle(request.id, outcome)), null, 'the same approval again: nothing changes');
  const other = crm.settle(request.id, { ...outcome, approvalId: 'a-2', approved: false });
  assert.equal(!other.ok && other.error.code, 'AlreadySettled');
  assert.equal(crm.get('requests', request.id)?.status, 'approved');
});

test('each change emits its record trigger (table) and the business events it amounts to (event)', () => {
  const crm = fresh();
  const ada = ok(crm.create('customers', { name: 'Ada' }));
  const summary = (change: Change) => emissionsOf(change).map((e) => `${e.opId}:${Object.values(e.parameters).join()}`);
  const cases: Array<[Change, string[]]> = [
    [ada, [`${TRIGGERS.created}:customers`]],
    [ok(crm.create('orders', { customerId: ada.id, amount: 999 })), [`${TRIGGERS.created}:orders`]],
    [
      ok(crm.create('orders', { customerId: ada.id, amount: 1000 })),
      [`${TRIGGERS.created}:orders`, `${TRIGGERS.event}:order.large`],
    ],
    [
      ok(crm.update('customers', ada.id, { status: 'vip' })),
      [`${TRIGGERS.updated}:customers`, `${TRIGGERS.event}:customer.vip`],
    ],
    [ok(crm.update('customers', ada.id, { status: 'vip' })), []],
    [ok(crm.update('customers', ada.id, { company: 'X' })), [`${TRIGGERS.updated}:customers`]],
  ];
  const request = ok(crm.create('requests', { customerId: ada.id, percent: 5 }));
  cases.push([request, [`${TRIGGERS.created}:requests`, `${TRIGGERS.event}:request.submitted`]]);
  const settled = ok(crm.settle(request.id, { approvalId: 'a', approved: false, decidedBy: '' }))!;
  cases.push([settled, [`${TRIGGERS.updated}:requests`, `${TRIGGERS.event}:request.settled`]]);
  cases.push([ok(crm.remove('customers', ada.id)), [`${TRIGGERS.deleted}:customers`]]);
  for (const [change, expected] of cases) assert.deepEqual(summary(change), expected, `${change.table} ${change.op}`);
  const [first] = emissionsOf(ada);
  assert.deepEqual(first?.payload, {
    table: 'customers',
    id: ada.id,
    op: 'created',
    record: {
      id: ada.id,
      name: 'Ada',
      status: 'lead',
      createdAt: ada.after?.createdAt,
      updatedAt: ada.after?.updatedAt,
    },
    changed: ['name', 'status'],
  });
});

test('configuration from the environment: defaults, and a coded problem naming the variable', () => {
  const config = configFromEnv({ FLOWBRIDGE_URL: 'http://fb.local:7780/', FLOWBRIDGE_TOKEN: 't' });
  assert.ok(!('variable' in config));
  assert.equal(config.flowbridgeUrl, 'http://fb.local:7780');
  assert.equal(config.port, 7790);
  assert.equal(config.dataFile, 'crm.db');
  const cases: Array<[Record<string, string>, string]> = [
    [{ CRM_PORT: 'x' }, 'CRM_PORT'],
    [{ FLOWBRIDGE_URL: 'fb.local' }, 'FLOWBRIDGE_URL'],
    [{ CRM_PUBLIC_URL: 'ftp://x' }, 'CRM_PUBLIC_URL'],
    [{ CRM_API_KEY: 'short' }, 'CRM_API_KEY'],
  ];
  for (const [env, variable] of cases) assert.equal((configFromEnv(env) as { variable?: string }).variable, variable);
});
