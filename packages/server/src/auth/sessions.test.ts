// Signing in through the real server (createServer with the real auth): passwords, the session
// cookie, CSRF, expiry, throttling, sign-out, password changes and the first admin's setup.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type FlowbridgeServer } from '../http/test-support.js';
import { openStore, type SqlStore } from '../store/index.js';
import { createAuth } from './index.js';
import { SESSION_TTL_MS } from './sessions.js';

const ADMIN = 'sessions-test-admin-token-0123456789';
const PASSWORD = 'correct horse battery';

interface Answer {
  status: number;
  json: any;
  headers: Record<string, unknown>;
}

async function setup(options: { adminToken?: string; publicUrl?: string } = { adminToken: ADMIN }) {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sessions-'));
  const clock = { now: Date.UTC(2026, 0, 1) };
  const now = (): number => clock.now;
  const store: SqlStore = await openStore({ dataDir: dir });
  const auth = await createAuth({ store, now, ...(options.adminToken ? { adminToken: options.adminToken } : {}) });
  const server: FlowbridgeServer = await createServer({
    store,
    auth,
    now,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  await server.app.ready();
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    o: { body?: unknown; cookie?: string; csrf?: string; token?: string } = {},
  ): Promise<Answer> => {
    const res = await server.app.inject({
      method,
      url,
      headers: {
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      },
      ...(o.body !== undefined ? { payload: o.body as object } : {}),
    });
    return { status: res.statusCode, json: res.body ? safeJson(res.body) : undefined, headers: res.headers };
  };
  const signIn = async (email: string, password = PASSWORD) => {
    const res = await call('POST', '/api/v1/session', { body: { email, password } });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    return { ...res, setCookie, cookie: setCookie.split(';')[0]!, csrf: res.json?.csrfToken as string };
  };
  const createUser = async (email: string, role: string, password?: string) => {
    const res = await call('POST', '/api/v1/users', {
      token: ADMIN,
      body: { email, role, ...(password ? { password } : {}) },
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json as { id: string };
  };
  return {
    store,
    auth,
    clock,
    call,
    signIn,
    createUser,
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const flow = { name: 'f', definition: { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: {} } };

describe('sessions through the server', () => {
  test('a user created with a password signs in: cookie, CSRF token, who am I', async () => {
    const t = await setup();
    try {
      const ann = await t.createUser('ann@example.com', 'maker', PASSWORD);
      assert.equal((await t.signIn('ann@example.com', 'wrong password')).status, 401);
      assert.equal((await t.signIn('nobody@example.com')).status, 401);
      const s = await t.signIn('ANN@example.com');
      assert.equal(s.status, 200);
      assert.match(s.setCookie, /^flowbridge_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
      assert.equal(s.json.user.id, ann.id);
      assert.equal(s.json.user.isAdmin, false);
      assert.ok(s.json.user.permissions.default.includes('flows.write'));
      assert.ok(s.csrf.length >= 20);
      const who = await t.call('GET', '/api/v1/session', { cookie: s.cookie });
      assert.equal(who.status, 200);
      assert.equal(who.json.csrfToken, s.csrf);
      const me = await t.call('GET', '/api/v1/me', { cookie: s.cookie });
      assert.deepEqual([me.status, me.json.kind, me.json.id], [200, 'user', ann.id]);
      // The store keeps the id's hash, not the id.
      const id = s.cookie.split('=')[1]!;
      assert.equal(await t.store.sessions.getSession(id), undefined);
      assert.equal((await t.call('GET', '/api/v1/session')).status, 401);
      assert.equal(
        (await t.call('GET', '/api/v1/me', { cookie: 'flowbridge_session=forgedforgedforgedforged' })).status,
        401,
      );
    } finally {
      await t.close();
    }
  });

  test('state-changing calls with the cookie need the CSRF token; bearer tokens need none', async () => {
    const t = await setup();
    try {
      await t.createUser('ann@example.com', 'maker', PASSWORD);
      const s = await t.signIn('ann@example.com');
      const cases: Array<[string, Parameters<typeof t.call>[2], number]> = [
        ['cookie, no token', { cookie: s.cookie, body: flow }, 403],
        ['cookie, wrong token', { cookie: s.cookie, csrf: 'x'.repeat(32), body: flow }, 403],
        ['cookie and token', { cookie: s.cookie, csrf: s.csrf, body: flow }, 201],
        ['bearer, no token', { token: ADMIN, body: flow }, 201],
      ];
      for (const [name, options, status] of cases) {
        const res = await t.call('POST', '/api/v1/flows', options);
        assert.equal(res.status, status, `${name}: ${JSON.stringify(res.json)}`);
        if (status === 403) assert.equal(res.json.error.code, 'Forbidden');
      }
      // Reading needs no CSRF token; approvals and auth routes are guarded too.
      assert.equal((await t.call('GET', '/api/v1/flows', { cookie: s.cookie })).json.value.length, 2);
      const put = await t.call('PUT', '/api/v1/settings/automation', { cookie: s.cookie, body: { enabled: true } });
      assert.equal(put.status, 403);
    } finally {
      await t.close();
    }
  });

  test('signing out deletes the session; the old cookie no longer works', async () => {
    const t = await setup();
    try {
      await t.createUser('ann@example.com', 'user', PASSWORD);
      const s = await t.signIn('ann@example.com');
      assert.equal((await t.call('DELETE', '/api/v1/session', { cookie: s.cookie })).status, 403);
      const out = await t.call('DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf });
      assert.equal(out.status, 204);
      assert.match(String(out.headers['set-cookie']), /^flowbridge_session=; .*Max-Age=0/);
      assert.equal((await t.call('GET', '/api/v1/session', { cookie: s.cookie })).status, 401);
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s.cookie })).status, 401);
    } finally {
      await t.close();
    }
  });

  test('a session expires 12 h after its last use, and slides while used', async () => {
    const t = await setup();
    try {
      await t.createUser('ann@example.com', 'user', PASSWORD);
      const s = await t.signIn('ann@example.com');
      t.clock.now += SESSION_TTL_MS - 60_000;
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
      t.clock.now += SESSION_TTL_MS - 60_000; // 24 h after sign-in, 12 h less a minute after the last use
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
      t.clock.now += SESSION_TTL_MS + 1;
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s.cookie })).status, 401);
    } finally {
      await t.close();
    }
  });

  test('a disabled user is signed out and cannot sign in', async () => {
    const t = await setup();
    try {
      const ann = await t.createUser('ann@example.com', 'user', PASSWORD);
      const s = await t.signIn('ann@example.com');
      await t.call('PATCH', `/api/v1/users/${ann.id}`, { token: ADMIN, body: { disabled: true } });
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s.cookie })).status, 401);
      assert.equal((await t.signIn('ann@example.com')).status, 401);
    } finally {
      await t.close();
    }
  });

  test('five failed sign-ins lock the email with 429 and Retry-After, the right password included', async () => {
    const t = await setup();
    try {
      await t.createUser('ann@example.com', 'user', PASSWORD);
      for (let i = 0; i < 5; i++) assert.equal((await t.signIn('ann@example.com', `wrong-${i}-password`)).status, 401);
      const locked = await t.signIn('ann@example.com');
      assert.equal(locked.status, 429);
      assert.equal(locked.json.error.code, 'TooManyRequests');
      assert.equal(locked.headers['retry-after'], '30');
      assert.equal(locked.setCookie, '');
      // Another email is not affected; after the lock a wrong password doubles it.
      await t.createUser('bob@example.com', 'user', PASSWORD);
      assert.equal((await t.signIn('bob@example.com')).status, 200);
      t.clock.now += 31_000;
      assert.equal((await t.signIn('ann@example.com', 'wrong-again-password')).status, 401);
      assert.equal((await t.signIn('ann@example.com')).headers['retry-after'], '60');
      t.clock.now += 61_000;
      assert.equal((await t.signIn('ann@example.com')).status, 200);
      // Success cleared the count.
      assert.equal((await t.signIn('ann@example.com', 'wrong-once-more')).status, 401);
      assert.equal((await t.signIn('ann@example.com')).status, 200);
    } finally {
      await t.close();
    }
  });

  test('the cookie is Secure when the public URL is https', async () => {
    const t = await setup({ adminToken: ADMIN, publicUrl: 'https://flows.example.com' });
    try {
      await t.createUser('ann@example.com', 'user', PASSWORD);
      assert.match((await t.signIn('ann@example.com')).setCookie, /; Secure$/);
    } finally {
      await t.close();
    }
  });

  test('passwords: a user changes their own with the old one; admins set anyone’s; other sessions end', async () => {
    const t = await setup();
    try {
      const ann = await t.createUser('ann@example.com', 'maker', PASSWORD);
      const bob = await t.createUser('bob@example.com', 'maker');
      const s1 = await t.signIn('ann@example.com');
      const s2 = await t.signIn('ann@example.com');
      const url = `/api/v1/users/${ann.id}/password`;
      const as1 = { cookie: s1.cookie, csrf: s1.csrf };
      const cases: Array<[string, string, Parameters<typeof t.call>[2], number]> = [
        ['too short', url, { ...as1, body: { password: 'short', oldPassword: PASSWORD } }, 400],
        ['no old password', url, { ...as1, body: { password: 'new password 1' } }, 403],
        ['wrong old password', url, { ...as1, body: { password: 'new password 1', oldPassword: 'nope' } }, 403],
        ['someone else’s', `/api/v1/users/${bob.id}/password`, { ...as1, body: { password: 'new password 1' } }, 403],
        [
          'no such user (admin)',
          '/api/v1/users/nobody/password',
          { token: ADMIN, body: { password: 'new password 1' } },
          404,
        ],
        ['own, with the old one', url, { ...as1, body: { password: 'new password 1', oldPassword: PASSWORD } }, 204],
      ];
      for (const [name, u, options, status] of cases)
        assert.equal((await t.call('PUT', u, options)).status, status, name);
      assert.equal(
        (await t.call('GET', '/api/v1/me', { cookie: s1.cookie })).status,
        200,
        'the changing session stays',
      );
      assert.equal((await t.call('GET', '/api/v1/me', { cookie: s2.cookie })).status, 401, 'the other one ended');
      assert.equal((await t.signIn('ann@example.com')).status, 401);
      assert.equal((await t.signIn('ann@example.com', 'new password 1')).status, 200);
      // An admin sets a first password for a user who had none.
      const set = await t.call('PUT', `/api/v1/users/${bob.id}/password`, {
        token: ADMIN,
        body: { password: PASSWORD },
      });
      assert.equal(set.status, 204);
      assert.equal((await t.signIn('bob@example.com')).status, 200);
      const bad = await t.call('POST', '/api/v1/users', {
        token: ADMIN,
        body: { email: 'cy@example.com', role: 'user', password: 'short' },
      });
      assert.deepEqual([bad.status, bad.json.error.target], [400, 'password']);
    } finally {
      await t.close();
    }
  });

  test('first start: the setup token creates the first admin with a password, once', async () => {
    const t = await setup({});
    try {
      const token = t.auth.setupToken;
      assert.ok(token);
      assert.deepEqual((await t.call('GET', '/api/v1/setup')).json, { required: true });
      const body = { email: 'root@example.com', displayName: 'Root', password: PASSWORD };
      assert.equal((await t.call('POST', '/api/v1/setup', { body: { ...body, setupToken: 'fbs_wrong' } })).status, 403);
      const short = await t.call('POST', '/api/v1/setup', { body: { ...body, setupToken: token, password: 'x' } });
      assert.equal(short.status, 400);
      const done = await t.call('POST', '/api/v1/setup', { body: { ...body, setupToken: token } });
      assert.equal(done.status, 201, JSON.stringify(done.json));
      assert.deepEqual(
        [done.json.user.email, done.json.user.role, done.json.user.isAdmin],
        ['root@example.com', 'admin', true],
      );
      const cookie = String(done.headers['set-cookie']).split(';')[0]!;
      assert.equal((await t.call('GET', '/api/v1/users', { cookie })).status, 200);
      assert.deepEqual((await t.call('GET', '/api/v1/setup')).json, { required: false });
      assert.equal((await t.call('POST', '/api/v1/setup', { body: { ...body, setupToken: token } })).status, 403);
      assert.equal((await t.call('GET', '/api/v1/me', { token })).status, 401, 'the setup token is used up');
      assert.equal((await t.signIn('root@example.com')).status, 200);
    } finally {
      await t.close();
    }
  });
});
