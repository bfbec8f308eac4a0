import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from './node.js';

test('toNodeHandler passes method, URL, headers and body through, and the answer back', async (t) => {
  const errors: unknown[] = [];
  const server = createServer(
    toNodeHandler(
      async (request) => {
        if (request.url.endsWith('/boom')) throw new Error('boom');
        return Response.json(
          {
            method: request.method,
            path: new URL(request.url).pathname,
            key: request.headers.get('x-key'),
            body: await request.text(),
          },
          { status: 207, headers: { 'x-answer': 'yes' } },
        );
      },
      { onError: (error) => errors.push(error) },
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/crm/x?y=1`, { method: 'PUT', headers: { 'x-key': 'k' }, body: '{"a":1}' });
  assert.equal(res.status, 207);
  assert.equal(res.headers.get('x-answer'), 'yes');
  assert.deepEqual(await res.json(), { method: 'PUT', path: '/crm/x', key: 'k', body: '{"a":1}' });
  const failed = await fetch(`${base}/boom`);
  assert.equal(failed.status, 500);
  assert.equal(((await failed.json()) as any).error.code, 'InternalError');
  assert.equal((errors[0] as Error).message, 'boom');
});
