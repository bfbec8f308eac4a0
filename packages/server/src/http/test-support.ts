/**
 * Test helpers: an Auth that accepts one admin token (until tests use the real createAuth), a
 * server (runtime and app) in one call, and one on a fresh SQLite store with its teardown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Auth, Principal } from '../auth/types.js';
import { openStore, type SqlStore } from '../store/index.js';
import type { FastifyInstance } from 'fastify';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { createApp, type AppOptions, type HttpApp } from './app.js';

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

export type ServerOptions = RuntimeOptions & AppOptions;

/** The runtime and the app on it, as `flowbridge start` wires them (minus the listening). */
export interface FlowbridgeServer {
  app: FastifyInstance;
  host: Runtime['host'];
  callbacks: Runtime['callbacks'];
  recurrences: Runtime['recurrences'];
  /** The routes registered (method, url in fastify's `:param` form). */
  routes: HttpApp['routes'];
  setBaseUrl(url: string): void;
  /** Resumes unfinished runs and starts the worker and scheduler loops (per roles). */
  startBackground(): Promise<void>;
  /** Closes the app, then drains the runtime (the store stays open). */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions): Promise<FlowbridgeServer> {
  const runtime = await createRuntime(options);
  const { app, routes } = await createApp(runtime, options);
  return {
    app,
    host: runtime.host,
    callbacks: runtime.callbacks,
    recurrences: runtime.recurrences,
    routes,
    setBaseUrl: runtime.setBaseUrl,
    startBackground: runtime.start,
    close: async () => {
      await app.close();
      await runtime.stop();
    },
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

/** An HTTP server that answers a request only when the test releases it. */
export async function holdingServer() {
  const held: Array<{ n: string; res: ServerResponse }> = [];
  const seen: string[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const n = new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '?';
    seen.push(n);
    const entry = { n, res };
    held.push(entry);
    // A caller that gave up (the server stopped) is no longer held.
    res.on('close', () => {
      const i = held.indexOf(entry);
      if (i >= 0) held.splice(i, 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    release(n: string) {
      const i = held.findIndex((h) => h.n === n);
      assert.ok(i >= 0, `request ${n} is not held (held: ${held.map((h) => h.n).join(',')})`);
      const [h] = held.splice(i, 1);
      h!.res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n }));
    },
    async close() {
      for (const h of held.splice(0)) h.res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
