// The one error handler: what each kind of thrown error answers with, in every plugin scope.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createAuth } from '../auth/index.js';
import { HostError } from '../host/errors.js';
import { approvalsExtension } from '../runtime-config.js';
import { openStore, StoreError, type SqlStore } from '../store/index.js';
import { installErrorHandler, toApiError, withoutPaths } from './error-handler.js';
import { API_ERROR_STATUS, ApiError } from '../util/api-errors.js';
import { createServer, type FlowbridgeServer } from './test-support.js';

describe('toApiError', () => {
  const cases: Array<{ name: string; error: unknown; status: number; code: string; target?: string }> = [
    {
      name: 'an ApiError as it is',
      error: ApiError.of('AlreadyResponded', 'm', 'a1'),
      status: 409,
      code: 'AlreadyResponded',
      target: 'a1',
    },
    { name: 'host NotFound', error: new HostError('NotFound', 'm', 'r1'), status: 404, code: 'NotFound', target: 'r1' },
    {
      name: 'host TriggerNotFound',
      error: new HostError('TriggerNotFound', 'm'),
      status: 404,
      code: 'TriggerNotFound',
    },
    { name: 'host Stopping', error: new HostError('Stopping', 'm'), status: 503, code: 'ServiceUnavailable' },
    { name: 'host TooManyRuns', error: new HostError('TooManyRuns', 'm'), status: 429, code: 'TooManyRequests' },
    {
      name: 'host InvalidTemplate',
      error: new HostError('InvalidTemplate', 'm'),
      status: 400,
      code: 'InvalidTemplate',
    },
    { name: 'host InvalidSplitOn', error: new HostError('InvalidSplitOn', 'm'), status: 400, code: 'InvalidSplitOn' },
    { name: 'host InvalidState', error: new HostError('InvalidState', 'm'), status: 409, code: 'Conflict' },
    {
      name: 'store NotFound (no target)',
      error: new StoreError('NotFound', 'm', { target: 'x' }),
      status: 404,
      code: 'NotFound',
    },
    { name: 'store Conflict', error: new StoreError('Conflict', 'm'), status: 409, code: 'Conflict' },
    {
      name: 'store InvalidArgument',
      error: new StoreError('InvalidArgument', 'm'),
      status: 400,
      code: 'InvalidRequest',
    },
    {
      name: 'store unavailable',
      error: new StoreError('StoreUnavailable', 'm'),
      status: 503,
      code: 'ServiceUnavailable',
    },
    { name: 'store closed', error: new StoreError('Closed', 'm'), status: 503, code: 'ServiceUnavailable' },
    { name: 'a bug', error: new TypeError('x is undefined'), status: 500, code: 'InternalError' },
    { name: 'not even an Error', error: 'oops', status: 500, code: 'InternalError' },
    {
      name: 'some 4xx with a status',
      error: Object.assign(new Error('m'), { statusCode: 422 }),
      status: 422,
      code: 'InvalidRequest',
    },
    {
      name: 'a 404 with a status',
      error: Object.assign(new Error('m'), { statusCode: 404 }),
      status: 404,
      code: 'NotFound',
    },
    {
      name: 'a 5xx with a status',
      error: Object.assign(new Error('m'), { statusCode: 502 }),
      status: 500,
      code: 'InternalError',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const api = toApiError(c.error);
      assert.deepEqual([api.statusCode, api.code, api.target], [c.status, c.code, c.target]);
    });
  }

  it('a bug answers without its own words', () => {
    assert.equal(toApiError(new Error('secret detail')).message, 'The server failed to handle the request.');
  });

  it('a store error naming the database file answers without the path', () => {
    const file = join(tmpdir(), 'flowbridge-data', 'flowbridge.db');
    const api = toApiError(new StoreError('StoreUnavailable', `unable to open database file ${file}`));
    assert.equal(api.code, 'ServiceUnavailable');
    assert.ok(!api.message.includes(file) && !api.message.includes(tmpdir()), api.message);
  });

  it('withoutPaths drops file paths and keeps URLs and words', () => {
    const cases: Array<[string, string]> = [
      ['/var/lib/flowbridge/flowbridge.db: the store is closed', '<path>: the store is closed'],
      ["cannot open '/home/me/.flowbridge/data.db' (EACCES)", "cannot open '<path>' (EACCES)"],
      ['C:\\Users\\me\\flowbridge.db is locked', '<path> is locked'],
      ['see https://example.com/a/b for more', 'see https://example.com/a/b for more'],
      ['Route POST:/api/v1/x not found', 'Route POST:/api/v1/x not found'],
      ['either/or and 1/2', 'either/or and 1/2'],
    ];
    for (const [message, expected] of cases) assert.equal(withoutPaths(message), expected, message);
  });

  it('ApiError.of takes the status from the table', () => {
    for (const [code, status] of Object.entries(API_ERROR_STATUS)) {
      assert.equal(ApiError.of(code as keyof typeof API_ERROR_STATUS, 'm').statusCode, status, code);
    }
  });
});

describe('installErrorHandler', () => {
  async function app() {
    const a = Fastify({ bodyLimit: 64 });
    installErrorHandler(a);
    // A plugin with its own scope (as auth and approvals register theirs): it has no handler of its own.
    await a.register(async (scope) => {
      scope.post('/scoped', async (request) => request.body);
      scope.get('/unauthorized', async () => {
        throw ApiError.of('Unauthorized', 'no');
      });
      scope.post('/validated', { schema: { body: { type: 'object', required: ['n'] } } }, async () => 'ok');
    });
    return a;
  }
  const json = { 'content-type': 'application/json' };
  const cases: Array<{
    name: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
    status: number;
    code: string;
    target?: string;
  }> = [
    {
      name: 'invalid JSON',
      url: '/scoped',
      headers: json,
      payload: '{',
      status: 400,
      code: 'InvalidRequest',
      target: 'body',
    },
    {
      name: 'empty JSON',
      url: '/scoped',
      headers: json,
      payload: '',
      status: 400,
      code: 'InvalidRequest',
      target: 'body',
    },
    {
      name: 'unsupported content type',
      url: '/scoped',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
      status: 415,
      code: 'InvalidRequest',
      target: 'body',
    },
    {
      name: 'body too large',
      url: '/scoped',
      headers: json,
      payload: JSON.stringify({ text: 'x'.repeat(100) }),
      status: 413,
      code: 'RequestTooLarge',
      target: 'body',
    },
    {
      name: 'schema validation',
      url: '/validated',
      headers: json,
      payload: '{}',
      status: 400,
      code: 'InvalidRequest',
      target: 'body',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const a = await app();
      try {
        const res = await a.inject({ method: 'POST', url: c.url, headers: c.headers ?? {}, payload: c.payload ?? '' });
        assert.equal(res.statusCode, c.status, res.body);
        const error = res.json().error;
        assert.deepEqual([error.code, error.target], [c.code, c.target]);
        assert.equal(typeof error.message, 'string');
      } finally {
        await a.close();
      }
    });
  }

  it('Unauthorized asks for a bearer token', async () => {
    const a = await app();
    try {
      const res = await a.inject({ url: '/unauthorized' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      assert.deepEqual(res.json(), { error: { code: 'Unauthorized', message: 'no' } });
    } finally {
      await a.close();
    }
  });
});

describe('in the server, core, auth and approvals routes answer alike', () => {
  const ADMIN = 'error-handler-test-admin-token-0123';
  let dir: string;
  let store: SqlStore;
  let server: FlowbridgeServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowbridge-errors-'));
    store = await openStore({ dataDir: dir });
    const auth = await createAuth({ store, adminToken: ADMIN });
    server = await createServer({
      store,
      auth,
      extensions: [approvalsExtension({ auth, linkSecret: 'error-handler-test-link-secret' })],
    });
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const routes = [
    ['core', '/api/v1/flows'],
    ['auth', '/api/v1/users'],
    ['approvals', '/api/v1/approvals/a1/respond'],
  ] as const;
  const bodies = [
    { name: 'invalid JSON', contentType: 'application/json', payload: '{', status: 400, code: 'InvalidRequest' },
    { name: 'unsupported content type', contentType: 'text/csv', payload: 'a,b', status: 415, code: 'InvalidRequest' },
    {
      name: 'JSON nested 50,000 deep',
      contentType: 'application/json',
      payload: '['.repeat(50_000) + ']'.repeat(50_000),
      status: 400,
      code: 'NestingTooDeep',
    },
  ];
  for (const [area, url] of routes) {
    for (const b of bodies) {
      it(`${area}: ${b.name}`, async () => {
        const res = await server.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': b.contentType },
          payload: b.payload,
        });
        assert.equal(res.statusCode, b.status, res.body);
        assert.deepEqual(Object.keys(res.json()), ['error']);
        assert.deepEqual([res.json().error.code, res.json().error.target], [b.code, 'body']);
      });
    }
  }

  it('approvals: an empty JSON body on a body-less POST is no body', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/approvals/a1/cancel',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(res.json().error.code, 'NotFound', res.body);
  });

  it('a closed store answers 503 without its file path', async () => {
    const closedDir = mkdtempSync(join(tmpdir(), 'flowbridge-closed-'));
    const closed = await openStore({ dataDir: closedDir });
    const auth = await createAuth({ store: closed, adminToken: ADMIN });
    const app = await createServer({ store: closed, auth });
    try {
      await closed.close();
      const res = await app.app.inject({ url: '/api/v1/flows', headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.statusCode, 503, res.body);
      assert.ok(!res.body.includes(closedDir), res.body);
    } finally {
      await app.close();
      rmSync(closedDir, { recursive: true, force: true });
    }
  });
});
