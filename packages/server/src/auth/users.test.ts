import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, harness } from './test-harness.js';

test('users: create, duplicate, bad input, get, list, me', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const created = await h.call('POST', '/api/v1/users', ADMIN, {
      email: 'Ann@Example.com',
      displayName: 'Ann',
      role: 'maker',
    });
    assert.equal(created.status, 201);
    assert.equal(typeof created.json.id, 'string');
    assert.equal(created.json.email, 'ann@example.com');
    assert.equal(created.json.role, 'maker');
    assert.deepEqual(created.json.roles, { default: 'maker' });

    const dup = await h.call('POST', '/api/v1/users', ADMIN, {
      email: 'ann@example.com',
      displayName: 'A2',
      role: 'user',
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.code, 'Conflict');

    const bad: Array<[unknown, string]> = [
      [{ email: 'not-an-email', displayName: 'x', role: 'user' }, 'email'],
      [{ email: 'b@example.com', displayName: 'x', role: 'superuser' }, 'role'],
      [{ email: 'b@example.com', displayName: 7, role: 'user' }, 'displayName'],
      [{ email: 'b@example.com', role: 'user', environmentId: 'nowhere' }, 'environmentId'],
      [[1, 2], 'body'],
    ];
    for (const [body, target] of bad) {
      const r = await h.call('POST', '/api/v1/users', ADMIN, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'InvalidRequest');
      assert.equal(r.json.error.target, target);
    }

    const got = await h.call('GET', `/api/v1/users/${created.json.id}`, ADMIN);
    assert.equal(got.json.email, 'ann@example.com');
    assert.equal((await h.call('GET', '/api/v1/users/missing', ADMIN)).status, 404);
    const list = await h.call('GET', '/api/v1/users', ADMIN);
    assert.deepEqual(
      list.json.value.map((u: { email: string }) => u.email),
      ['ann@example.com'],
    );

    const pat = await h.call('POST', `/api/v1/users/${created.json.id}/tokens`, ADMIN, { name: 'laptop' });
    const me = await h.call('GET', '/api/v1/me', pat.json.token);
    assert.equal(me.status, 200);
    assert.equal(me.json.id, created.json.id);
    assert.equal(me.json.kind, 'user');
    assert.deepEqual(me.json.permissions.default, [
      'flows.read',
      'flows.write',
      'runs.read',
      'runs.operate',
      'approvals.respond',
    ]);
  } finally {
    await h.close();
  }
});

test('personal access tokens: shown once, stored hashed, listed without secret, revoked; self-service', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const u = (
      await h.call('POST', '/api/v1/users', ADMIN, { email: 'o@example.com', displayName: 'O', role: 'operator' })
    ).json;
    const other = (
      await h.call('POST', '/api/v1/users', ADMIN, { email: 'p@example.com', displayName: 'P', role: 'operator' })
    ).json;
    const t = await h.call('POST', `/api/v1/users/${u.id}/tokens`, ADMIN, { name: 'ci' });
    assert.equal(t.status, 201);
    assert.match(t.json.token, /^fbp_/);
    assert.equal(typeof t.json.id, 'string');
    const [stored] = await h.store.listAccessTokens(u.id);
    assert.ok(stored && stored.hash !== t.json.token && !stored.hash.includes(t.json.token));

    const p = await h.auth.authenticate(`Bearer ${t.json.token}`);
    assert.equal(p?.kind, 'user');
    assert.equal(p?.id, u.id);
    assert.deepEqual(p?.roles, { default: 'operator' });
    assert.equal(p?.isAdmin, false);
    assert.equal(h.auth.authorize(p!, 'runs.operate', 'default'), true);
    assert.equal(h.auth.authorize(p!, 'flows.write', 'default'), false);

    // The user makes a second token for themself, but not for someone else.
    const own = await h.call('POST', `/api/v1/users/${u.id}/tokens`, t.json.token, {});
    assert.equal(own.status, 201);
    assert.equal((await h.call('POST', `/api/v1/users/${other.id}/tokens`, t.json.token, {})).status, 403);
    assert.equal((await h.call('GET', `/api/v1/users/${other.id}/tokens`, t.json.token)).status, 403);

    const listed = await h.call('GET', `/api/v1/users/${u.id}/tokens`, t.json.token);
    assert.equal(listed.json.value.length, 2);
    assert.ok(listed.json.value.every((i: Record<string, unknown>) => !('token' in i) && !('hash' in i)));
    assert.ok(
      listed.json.value.some((i: { lastUsedAt: string | null }) => i.lastUsedAt !== null),
      'use is recorded',
    );

    assert.equal((await h.call('DELETE', `/api/v1/users/${other.id}/tokens/${own.json.id}`, ADMIN)).status, 404);
    assert.equal((await h.call('DELETE', `/api/v1/users/${u.id}/tokens/${own.json.id}`, t.json.token)).status, 204);
    assert.equal(await h.auth.authenticate(`Bearer ${own.json.token}`), null);
    assert.ok(await h.auth.authenticate(`Bearer ${t.json.token}`), 'the other token still works');
    assert.equal(await h.auth.authenticate(`Bearer fbp_${'A'.repeat(43)}`), null, 'an unknown token is refused');
  } finally {
    await h.close();
  }
});

test('a disabled user is refused, and works again when re-enabled', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const u = (
      await h.call('POST', '/api/v1/users', ADMIN, { email: 'd@example.com', displayName: 'D', role: 'maker' })
    ).json;
    const t = (await h.call('POST', `/api/v1/users/${u.id}/tokens`, ADMIN, {})).json.token;
    assert.ok(await h.auth.authenticate(`Bearer ${t}`));
    const off = await h.call('PATCH', `/api/v1/users/${u.id}`, ADMIN, { disabled: true });
    assert.equal(off.status, 200);
    assert.equal(off.json.disabled, true);
    assert.equal(await h.auth.authenticate(`Bearer ${t}`), null);
    assert.equal((await h.call('GET', '/api/v1/me', t)).status, 401);
    await h.call('PATCH', `/api/v1/users/${u.id}`, ADMIN, { disabled: false });
    assert.ok(await h.auth.authenticate(`Bearer ${t}`));
  } finally {
    await h.close();
  }
});

test('401 without credentials, 403 with credentials but without the role', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const u = (
      await h.call('POST', '/api/v1/users', ADMIN, { email: 'm@example.com', displayName: 'M', role: 'maker' })
    ).json;
    const t = (await h.call('POST', `/api/v1/users/${u.id}/tokens`, ADMIN, {})).json.token;
    const adminOnly: Array<['GET' | 'POST' | 'PUT' | 'PATCH', string, unknown?]> = [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users', { email: 'z@example.com', displayName: 'Z', role: 'user' }],
      ['PATCH', `/api/v1/users/${u.id}`, { role: 'admin' }],
      ['POST', '/api/v1/clients', { roles: ['admin'] }],
      ['GET', '/api/v1/clients'],
      ['GET', '/api/v1/audit'],
      ['PUT', '/api/v1/settings/automation', { enabled: false }],
      ['PUT', `/api/v1/users/${u.id}/automation`, { enabled: false }],
      ['POST', '/api/v1/environments', { name: 'Sales' }],
    ];
    for (const [method, url, body] of adminOnly) {
      const anon = await h.call(method, url, undefined, body);
      assert.equal(anon.status, 401, `${method} ${url} anonymous`);
      const maker = await h.call(method, url, t, body);
      assert.equal(maker.status, 403, `${method} ${url} as maker`);
      assert.equal(maker.json.error.code, 'Forbidden');
    }
    assert.equal((await h.call('GET', `/api/v1/users/${u.id}`, t)).json.role, 'maker', 'nothing changed');
  } finally {
    await h.close();
  }
});

test('roles per environment: environments, a role in another one, tenancy of the list', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const env = await h.call('POST', '/api/v1/environments', ADMIN, { id: 'sales', name: 'Sales' });
    assert.equal(env.status, 201);
    assert.equal((await h.call('POST', '/api/v1/environments', ADMIN, { id: 'sales', name: 'Again' })).status, 409);
    assert.equal(
      (await h.call('POST', '/api/v1/environments', ADMIN, { id: 'Bad Id', name: 'x' })).json.error.target,
      'id',
    );
    await h.call('POST', '/api/v1/environments', ADMIN, { id: 'hr', name: 'HR' });

    const u = (
      await h.call('POST', '/api/v1/users', ADMIN, { email: 's@example.com', role: 'maker', environmentId: 'sales' })
    ).json;
    assert.deepEqual(u.roles, { sales: 'maker' });
    assert.equal(u.role, null);
    const t = (await h.call('POST', `/api/v1/users/${u.id}/tokens`, ADMIN, {})).json.token;
    let p = (await h.auth.authenticate(`Bearer ${t}`))!;
    assert.equal(h.auth.authorize(p, 'flows.write', 'sales'), true);
    assert.equal(h.auth.authorize(p, 'flows.read', 'default'), false);
    assert.equal(h.auth.authorize(p, 'flows.read', 'hr'), false);
    const envs = await h.call('GET', '/api/v1/environments', t);
    assert.deepEqual(
      envs.json.value.map((e: { id: string }) => e.id),
      ['sales'],
    );
    assert.equal((await h.call('GET', '/api/v1/environments', ADMIN)).json.value.length, 3);

    await h.call('PATCH', `/api/v1/users/${u.id}`, ADMIN, { role: 'operator', environmentId: 'hr' });
    await h.call('PATCH', `/api/v1/users/${u.id}`, ADMIN, { role: null, environmentId: 'sales' });
    p = (await h.auth.authenticate(`Bearer ${t}`))!;
    assert.deepEqual(p.roles, { hr: 'operator' });
  } finally {
    await h.close();
  }
});

test('an admin cannot disable themself or drop their own admin role', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const a = (await h.call('POST', '/api/v1/users', ADMIN, { email: 'a@example.com', role: 'admin' })).json;
    const t = (await h.call('POST', `/api/v1/users/${a.id}/tokens`, ADMIN, {})).json.token;
    assert.equal((await h.call('PATCH', `/api/v1/users/${a.id}`, t, { disabled: true })).status, 409);
    assert.equal((await h.call('PATCH', `/api/v1/users/${a.id}`, t, { role: 'maker' })).status, 409);
    assert.equal((await h.call('PATCH', `/api/v1/users/${a.id}`, ADMIN, { role: 'maker' })).json.role, 'maker');
  } finally {
    await h.close();
  }
});
