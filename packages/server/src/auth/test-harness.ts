// Test support for the auth tests: a SQLite store in a temp directory and a fastify app with the
// auth routes, both torn down by close().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../http/error-handler.js';
import { openStore, type Store } from '../store/index.js';
import { createAuth, type CreateAuthOptions, type CreatedAuth } from './index.js';

export interface Harness {
  store: Store;
  auth: CreatedAuth;
  app: FastifyInstance;
  /** Moves the clock the auth module sees. */
  clock: { now: number };
  /** app.inject with a bearer token and a JSON body. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export const ADMIN = 'test-admin-token-0123456789';

export async function harness(options: Partial<Omit<CreateAuthOptions, 'store'>> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-auth-'));
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = await openStore({ dataDir: dir });
  const auth = await createAuth({ store, now: () => clock.now, ...options });
  const app = Fastify();
  installErrorHandler(app); // the server's, which answers for auth's routes too
  await app.register(auth.routes);
  await app.ready();
  return {
    store,
    auth,
    app,
    clock,
    async call(method, url, token, body) {
      const res = await app.inject({
        method,
        url,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, json: res.body === '' ? undefined : res.json() };
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
