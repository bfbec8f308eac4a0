/**
 * An in-process server wired as `flowbridge start` wires desktop flows (real auth, real store), for
 * the tests of this folder that need no separate processes; `agentCall` speaks the agent protocol.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth } from '../auth/index.js';
import { createServer, type FlowbridgeServer } from '../http/test-support.js';
import { openStore, type SqlStore } from '../store/index.js';
import { createDesktopFlows, type DesktopFlows } from './index.js';
import type { DesktopDeps } from './types.js';

export const ADMIN = 'desktop-test-admin-token-0123456789';

export interface Harness {
  server: FlowbridgeServer;
  store: SqlStore;
  desktop: DesktopFlows;
  /** A JSON call with the admin token (or the given one; null = none). */
  call(
    method: string,
    url: string,
    body?: unknown,
    token?: string | null,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON of any shape: tests index into it
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  dispose(): Promise<void>;
}

export async function harness(
  options: Partial<Pick<DesktopDeps, 'resolveConnection' | 'timing' | 'fetch'>> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-desktop-'));
  const store = await openStore({ dataDir: dir });
  const auth = await createAuth({ store, adminToken: ADMIN });
  let desktop: DesktopFlows | undefined;
  const server = await createServer({
    store,
    auth,
    pollMs: 50,
    extensions: [
      ({ baseUrl }) =>
        (desktop = createDesktopFlows({
          store,
          auth,
          baseUrl,
          callbackSecret: 'desktop-test-callback-secret',
          timing: {
            pollHoldMs: 200,
            offlineAfterMs: 1_000,
            sweepMs: 100,
            callbackRetryDelaysMs: [50, 50, 50],
            ...options.timing,
          },
          ...(options.resolveConnection ? { resolveConnection: options.resolveConnection } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        })),
    ],
  });
  await server.startBackground();
  await desktop!.start();
  return {
    server,
    store,
    desktop: desktop!,
    async call(method, url, body, token = ADMIN) {
      const res = await server.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      const isJson = /json/.test(String(res.headers['content-type'] ?? ''));
      return { status: res.statusCode, body: isJson && res.body ? res.json() : res.body, headers: res.headers };
    },
    async dispose() {
      await desktop!.stop();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
