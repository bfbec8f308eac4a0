import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, harness } from './test-harness.js';

test('the configured admin token is an admin; other tokens and no token are not', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const admin = await h.auth.authenticate(`Bearer ${ADMIN}`);
    assert.equal(admin?.kind, 'admin-token');
    assert.equal(admin?.isAdmin, true);
    assert.equal(h.auth.authorize(admin, 'admin', 'any-environment'), true);
    assert.equal(await h.auth.authenticate(`Bearer ${ADMIN}x`), null);
    assert.equal(await h.auth.authenticate(`Bearer ${ADMIN.slice(0, -1)}`), null);
    assert.equal(await h.auth.authenticate(ADMIN), null); // not a Bearer header
    assert.equal(await h.auth.authenticate(undefined), null);
    assert.equal(h.auth.setupToken, undefined, 'no setup token when an admin token is configured');
    const me = await h.call('GET', '/api/v1/me', ADMIN);
    assert.equal(me.status, 200);
    assert.equal(me.json.isAdmin, true);
  } finally {
    await h.close();
  }
});

test('no token is 401 with the API error shape; a wrong token is 401', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const none = await h.call('GET', '/api/v1/users');
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'Unauthorized');
    const wrong = await h.call('GET', '/api/v1/users', 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'Unauthorized');
  } finally {
    await h.close();
  }
});

test('the setup token is created once, works as admin, and ends when the first admin is created', async () => {
  const h = await harness();
  try {
    const setup = h.auth.setupToken;
    assert.ok(setup, 'a setup token is returned when nobody exists');
    assert.match(setup, /^fbs_/);
    const stored = JSON.stringify(await h.store.getSetting('auth.setupTokenHash'));
    assert.ok(!stored.includes(setup), 'only its hash is stored');
    const p = await h.auth.authenticate(`Bearer ${setup}`);
    assert.equal(p?.isAdmin, true);
    // A maker does not end setup; the first admin does.
    const maker = await h.call('POST', '/api/v1/users', setup, {
      email: 'm@example.com',
      displayName: 'M',
      role: 'maker',
    });
    assert.equal(maker.status, 201);
    assert.ok(await h.auth.authenticate(`Bearer ${setup}`));
    const admin = await h.call('POST', '/api/v1/users', setup, {
      email: 'a@example.com',
      displayName: 'A',
      role: 'admin',
    });
    assert.equal(admin.status, 201);
    assert.equal(await h.auth.authenticate(`Bearer ${setup}`), null);
    assert.equal((await h.call('GET', '/api/v1/users', setup)).status, 401);
    // The first admin is not locked out: the answer carried their personal access token.
    assert.match(admin.json.token, /^fbp_/);
    const me = await h.call('GET', '/api/v1/me', admin.json.token);
    assert.equal(me.status, 200);
    assert.equal(me.json.isAdmin, true);
    assert.equal((await h.call('GET', '/api/v1/users', admin.json.token)).status, 200);
  } finally {
    await h.close();
  }
});

test('using the setup token to create a token ends it', async () => {
  const h = await harness();
  try {
    const setup = h.auth.setupToken!;
    const u = await h.call('POST', '/api/v1/users', setup, {
      email: 'o@example.com',
      displayName: 'O',
      role: 'operator',
    });
    const t = await h.call('POST', `/api/v1/users/${u.json.id}/tokens`, setup, { name: 'first' });
    assert.equal(t.status, 201);
    assert.equal(await h.auth.authenticate(`Bearer ${setup}`), null);
  } finally {
    await h.close();
  }
});

test('every start prints a new setup token while no enabled admin exists', async () => {
  const h = await harness();
  try {
    const { createAuth } = await import('./index.js');
    const cases = [
      { user: undefined, expectToken: true },
      { user: { email: 'm@example.com', role: 'maker' as const }, expectToken: true },
      { user: { email: 'a@example.com', role: 'admin' as const, disabled: true }, expectToken: true },
      { user: { email: 'b@example.com', role: 'admin' as const }, expectToken: false },
    ];
    for (const c of cases) {
      if (c.user) {
        const u = await h.store.createUser({ email: c.user.email, displayName: 'U', role: c.user.role });
        if ('disabled' in c.user) await h.store.updateUser(u.id, { disabled: true });
      }
      const again = await createAuth({ store: h.store });
      assert.equal(again.setupToken !== undefined, c.expectToken, JSON.stringify(c.user));
      if (again.setupToken) assert.equal((await again.authenticate(`Bearer ${again.setupToken}`))?.isAdmin, true);
    }
  } finally {
    await h.close();
  }
});

test('no setup token once an admin exists', async () => {
  const h = await harness();
  try {
    await h.store.createUser({ email: 'x@example.com', displayName: 'X', role: 'admin' });
    const { createAuth } = await import('./index.js');
    const again = await createAuth({ store: h.store });
    assert.equal(again.setupToken, undefined);
    assert.equal(await again.authenticate(`Bearer ${h.auth.setupToken}`), null);
  } finally {
    await h.close();
  }
});
