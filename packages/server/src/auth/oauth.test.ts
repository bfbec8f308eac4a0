import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { ADMIN, harness, type Harness } from './test-harness.js';

async function register(h: Harness, body: unknown): Promise<{ client_id: string; client_secret: string }> {
  const r = await h.call('POST', '/api/v1/clients', ADMIN, body);
  assert.equal(r.status, 201);
  return r.json;
}

async function token(h: Harness, payload: string, headers: Record<string, string> = {}) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/oauth2/v2.0/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload,
  });
  return { status: res.statusCode, json: res.json(), headers: res.headers };
}

test('client credentials: register, issue (form, JSON, Basic), use, with the client role', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const c = await register(h, { name: 'deployer', roles: ['maker'] });
    assert.match(c.client_secret, /^fbc_/);
    const stored = await h.store.getOAuthClient(c.client_id);
    assert.ok(stored && !stored.secretHash.includes(c.client_secret));
    const listed = await h.call('GET', '/api/v1/clients', ADMIN);
    assert.equal(listed.json.value[0].name, 'deployer');
    assert.ok(!JSON.stringify(listed.json).includes(c.client_secret));

    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.client_id,
      client_secret: c.client_secret,
      scope: 'api://flowbridge/.default',
    });
    const issued = await token(h, form.toString());
    assert.equal(issued.status, 200);
    assert.equal(issued.json.token_type, 'Bearer');
    assert.equal(issued.json.expires_in, 3600);
    assert.equal(issued.headers['cache-control'], 'no-store');
    const p = await h.auth.authenticate(`Bearer ${issued.json.access_token}`);
    assert.equal(p?.kind, 'client');
    assert.equal(p?.id, c.client_id);
    assert.deepEqual(p?.roles, { default: 'maker' });
    assert.equal(h.auth.authorize(p!, 'flows.write', 'default'), true);
    assert.equal(h.auth.authorize(p!, 'admin', 'default'), false);
    assert.equal((await h.call('GET', '/api/v1/users', issued.json.access_token)).status, 403);

    const json = await h.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
    });
    assert.equal(json.statusCode, 200);
    assert.ok(await h.auth.authenticate(`Bearer ${json.json().access_token}`));

    const basic = Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString(
      'base64',
    );
    const viaBasic = await token(h, 'grant_type=client_credentials', { authorization: `Basic ${basic}` });
    assert.equal(viaBasic.status, 200);

    // Deleting the client revokes its tokens at once.
    assert.equal((await h.call('DELETE', `/api/v1/clients/${c.client_id}`, ADMIN)).status, 204);
    assert.equal(await h.auth.authenticate(`Bearer ${issued.json.access_token}`), null);
  } finally {
    await h.close();
  }
});

test('token endpoint errors follow RFC 6749', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const c = await register(h, { roles: ['operator'] });
    const cases: Array<[string, Record<string, string>, number, string]> = [
      [`grant_type=client_credentials&client_id=${c.client_id}&client_secret=wrong`, {}, 401, 'invalid_client'],
      [`grant_type=client_credentials&client_id=nobody&client_secret=${c.client_secret}`, {}, 401, 'invalid_client'],
      ['grant_type=client_credentials', {}, 401, 'invalid_client'],
      [
        `grant_type=password&client_id=${c.client_id}&client_secret=${c.client_secret}`,
        {},
        400,
        'unsupported_grant_type',
      ],
      [`client_id=${c.client_id}&client_secret=${c.client_secret}`, {}, 400, 'invalid_request'],
      [
        'grant_type=client_credentials',
        { authorization: `Basic ${Buffer.from(`${c.client_id}:bad`).toString('base64')}` },
        401,
        'invalid_client',
      ],
    ];
    for (const [payload, headers, status, error] of cases) {
      const r = await token(h, payload, headers);
      assert.equal(r.status, status, payload);
      assert.equal(r.json.error, error, payload);
    }
  } finally {
    await h.close();
  }
});

test('expired, forged, wrong-audience and tampered tokens are refused', async () => {
  const h = await harness({ adminToken: ADMIN, tokenLifetimeSeconds: 600 });
  try {
    const c = await register(h, { roles: ['admin'] });
    const r = await token(h, `grant_type=client_credentials&client_id=${c.client_id}&client_secret=${c.client_secret}`);
    const jwt: string = r.json.access_token;
    const p = await h.auth.authenticate(`Bearer ${jwt}`);
    assert.equal(p?.isAdmin, true, 'an admin client in the default environment is an admin');

    h.clock.now += 599_000;
    assert.ok(await h.auth.authenticate(`Bearer ${jwt}`), 'valid just before expiry');
    h.clock.now += 60_000;
    assert.equal(await h.auth.authenticate(`Bearer ${jwt}`), null, 'expired');
    h.clock.now -= 659_000;

    // Signed by another key with the right claims: forged.
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(h.clock.now / 1000);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(c.client_id)
      .setIssuer('flowbridge')
      .setAudience('flowbridge-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    assert.equal(await h.auth.authenticate(`Bearer ${forged}`), null);

    // Unsigned ("alg": "none") and a tampered payload.
    const [header, payload] = jwt.split('.') as [string, string, string];
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    assert.equal(await h.auth.authenticate(`Bearer ${none}`), null);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    claims.sub = 'someone-else';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${jwt.split('.')[2]}`;
    assert.equal(await h.auth.authenticate(`Bearer ${tampered}`), null);
  } finally {
    await h.close();
  }
});

test('the signing key is kept in settings: a restart still accepts tokens issued before', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    const c = await register(h, { roles: ['operator'] });
    const r = await token(h, `grant_type=client_credentials&client_id=${c.client_id}&client_secret=${c.client_secret}`);
    const { createAuth } = await import('./index.js');
    const restarted = await createAuth({ store: h.store, adminToken: ADMIN, now: () => h.clock.now });
    assert.equal((await restarted.authenticate(`Bearer ${r.json.access_token}`))?.id, c.client_id);
    const other = await createAuth({
      store: h.store,
      now: () => h.clock.now,
      issuer: 'someone-else',
    });
    assert.equal(await other.authenticate(`Bearer ${r.json.access_token}`), null, 'issuer is checked');
  } finally {
    await h.close();
  }
});

test('client registration validates its input', async () => {
  const h = await harness({ adminToken: ADMIN });
  try {
    for (const [body, target] of [
      [{ roles: [] }, 'roles'],
      [{ roles: ['root'] }, 'roles'],
      [{ roles: ['maker'], environmentId: 'nowhere' }, 'environmentId'],
      [{ roles: ['maker'], name: 5 }, 'name'],
    ] as const) {
      const r = await h.call('POST', '/api/v1/clients', ADMIN, body);
      assert.equal(r.status, 400);
      assert.equal(r.json.error.target, target);
    }
  } finally {
    await h.close();
  }
});
