/**
 * Test helpers: an Auth that accepts one admin token (until tests use the real createAuth), and a
 * server on a fresh SQLite store with its teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Auth, Principal } from '../auth/types.js';
import { openStore, type SqlStore } from '../store/index.js';
import { createServer, type FlowbridgeServer, type ServerOptions } from './app.js';

export const TEST_TOKEN = 'test-admin-token';

export function testAuth(token = TEST_TOKEN): Auth {
  const admin: Principal = { kind: 'admin-token', id: 'admin', roles: {}, isAdmin: true };
  return {
    authenticate: async (header) => (header === `Bearer ${token}` ? admin : null),
    authorize: (principal) => principal.isAdmin,
    automationBlocked: async () => null,
    routes: async () => {},
  };
}

export interface TestServer {
  server: FlowbridgeServer;
  store: SqlStore;
  auth: { authorization: string };
  dispose(): Promise<void>;
}

export async function testServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-http-'));
  const store = await openStore({ dataDir: dir });
  const server = await createServer({ store, auth: testAuth(), pollMs: 50, ...options });
  await server.startBackground();
  return {
    server,
    store,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    dispose: async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
