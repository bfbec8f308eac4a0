/**
 * What the connector host's server tests share: a fake service (an in-process HTTP server that
 * records every request and answers from a table of routes), a Flowbridge server with the
 * connectors extension on a fresh data folder whose logs are captured, and fixture loading.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createOutboundClient } from '../effects/index.js';
import { createServer as createFlowbridge, testAuth, TEST_TOKEN, type FlowbridgeServer } from '../http/test-support.js';
import { openSecretBox } from '../secrets/index.js';
import { openStore, type SqlStore } from '../store/index.js';
import { connectorsExtension } from './index.js';

export interface Recorded {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

export interface FakeService {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** A service answering `route(request)` (undefined: 404) and recording every request. */
export async function fakeService(route: (r: Recorded, base: string) => Answer | undefined): Promise<FakeService> {
  const requests: Recorded[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text === '' ? undefined : text;
      try {
        if (text) body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      const url = new URL(req.url ?? '/', base);
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        url: url.href,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      const answer = route(recorded, base) ?? { status: 404 };
      res.writeHead(answer.status, {
        ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      });
      res.end(answer.body !== undefined ? JSON.stringify(answer.body) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ConnectorServer {
  server: FlowbridgeServer;
  store: SqlStore;
  url: string;
  dataDir: string;
  logs: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON of any shape: tests index into it
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Stops the server (the store stays open). */
  stop(): Promise<void>;
}

export async function connectorServer(
  dataDir: string,
  store?: SqlStore,
  logs: string[] = [],
): Promise<ConnectorServer> {
  const opened = store ?? (await openStore({ dataDir }));
  const box = await openSecretBox({ env: {}, dataDir });
  if (!box.ok) throw new Error(box.error.message);
  const auth = testAuth();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await createFlowbridge({
    store: opened,
    auth,
    log: pino({ level: 'debug' }, sink),
    pollMs: 50,
    extensions: [connectorsExtension({ auth, box: box.value, outbound: createOutboundClient(), pollTickMs: 50 })],
  });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  server.setBaseUrl(url);
  await server.startBackground();
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TEST_TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return { server, store: opened, url, dataDir, logs, call, stop: () => server.close() };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-connectors-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture JSON: tests change it
export function fixture(name: string): { apiDefinition: any; apiProperties: any } {
  const at = new URL(`../connectors/test-fixtures/${name}/`, import.meta.url);
  return {
    apiDefinition: JSON.parse(readFileSync(new URL('apiDefinition.swagger.json', at), 'utf8')),
    apiProperties: JSON.parse(readFileSync(new URL('apiProperties.json', at), 'utf8')),
  };
}

/** Every file under `dir`, as bytes. */
export function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
