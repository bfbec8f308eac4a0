import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audit } from './index.js';
import { ADMIN, harness } from './test-harness.js';

test('changes are audited with actor, action, target and details; secrets never', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const u = (await h.call('POST', '/api/v1/users', ADMIN, { email: 'a@example.com', role: 'maker' })).json;
    const t = (await h.call('POST', `/api/v1/users/${u.id}/tokens`, ADMIN, { name: 'ci' })).json;
    await h.call('PATCH', `/api/v1/users/${u.id}`, ADMIN, { role: 'operator' });
    await h.call('DELETE', `/api/v1/users/${u.id}/tokens/${t.id}`, ADMIN);
    const c = (await h.call('POST', '/api/v1/clients', ADMIN, { roles: ['maker'] })).json;
    await h.call('PUT', '/api/v1/settings/automation', ADMIN, { enabled: false, reason: 'freeze' });
    const p = (await h.auth.authenticate(`Bearer ${ADMIN}`))!;
    await audit(h.store, p, 'flow.delete', 'flow:f1', { name: 'x' });

    const r = await h.call('GET', '/api/v1/audit', ADMIN);
    assert.equal(r.status, 200);
    const actions = r.json.value.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, [
      'flow.delete',
      'automation.disable',
      'client.create',
      'token.revoke',
      'user.update',
      'token.create',
      'user.create',
    ]);
    const create = r.json.value.at(-1);
    assert.equal(create.actor, 'admin-token:admin');
    assert.equal(create.target, `user:${u.id}`);
    assert.deepEqual(create.details, { email: 'a@example.com', role: 'maker', environmentId: 'default' });
    const text = JSON.stringify(r.json);
    assert.ok(!text.includes(t.token) && !text.includes(c.client_secret), 'no secret in the audit log');

    // Paging: newest first, a cursor to continue.
    const page1 = await h.call('GET', '/api/v1/audit?limit=3', ADMIN);
    assert.equal(page1.json.value.length, 3);
    const page2 = await h.call('GET', `/api/v1/audit?limit=3&cursor=${page1.json.nextCursor}`, ADMIN);
    const page3 = await h.call('GET', `/api/v1/audit?limit=3&cursor=${page2.json.nextCursor}`, ADMIN);
    assert.deepEqual(
      [...page1.json.value, ...page2.json.value, ...page3.json.value].map((e: { action: string }) => e.action),
      actions,
    );
    assert.equal(page3.json.nextCursor, null);
    assert.equal((await h.call('GET', '/api/v1/audit?limit=0', ADMIN)).json.error.target, 'limit');
  } finally {
    await h.close();
  }
});

test('automation switch: organisation and per user, with reasons, and back on', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const u = (await h.call('POST', '/api/v1/users', ADMIN, { email: 'a@example.com', role: 'maker' })).json;
    const v = (await h.call('POST', '/api/v1/users', ADMIN, { email: 'b@example.com', role: 'maker' })).json;
    assert.equal(await h.auth.automationBlocked(u.id), null);
    assert.equal(await h.auth.automationBlocked(null), null);

    const off = await h.call('PUT', `/api/v1/users/${u.id}/automation`, ADMIN, {
      enabled: false,
      reason: 'left the company',
    });
    assert.equal(off.status, 200);
    assert.equal(await h.auth.automationBlocked(u.id), 'left the company');
    assert.equal(await h.auth.automationBlocked(v.id), null);
    assert.deepEqual((await h.call('GET', `/api/v1/users/${u.id}`, ADMIN)).json.automation, {
      enabled: false,
      reason: 'left the company',
    });

    await h.call('PUT', '/api/v1/settings/automation', ADMIN, { enabled: false });
    assert.match((await h.auth.automationBlocked(v.id)) ?? '', /switched off for the organisation/);
    assert.match((await h.auth.automationBlocked(null)) ?? '', /organisation/);
    assert.equal((await h.call('GET', '/api/v1/settings/automation', ADMIN)).json.enabled, false);

    await h.call('PUT', '/api/v1/settings/automation', ADMIN, { enabled: true });
    assert.equal(await h.auth.automationBlocked(v.id), null);
    assert.equal(await h.auth.automationBlocked(u.id), 'left the company');
    await h.call('PUT', `/api/v1/users/${u.id}/automation`, ADMIN, { enabled: true });
    assert.equal(await h.auth.automationBlocked(u.id), null);

    const bad = await h.call('PUT', '/api/v1/settings/automation', ADMIN, { enabled: 'no' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.target, 'enabled');
    assert.equal((await h.call('PUT', '/api/v1/users/missing/automation', ADMIN, { enabled: false })).status, 404);
  } finally {
    await h.close();
  }
});
