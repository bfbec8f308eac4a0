// What the browser tests need: a `flowbridge start` spawned from source on a fresh data directory,
// Debian's Chromium (never a downloaded browser), the built app, and a folder for screenshots.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bearerClient, startFlowbridge, type SpawnedProcess } from '../../../scripts/test-support/spawn-server.js';

export const webRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where screenshots go (git-ignored): the test's artefacts. */
export const screenshotDir = join(webRoot, 'test-results', 'screenshots');

/** The Chromium of the system (Debian's `chromium` package), or undefined. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.FLOWBRIDGE_CHROMIUM;
  const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    ...(process.env.PATH ?? '').split(delimiter).flatMap((dir) => names.map((n) => join(dir, n))),
  ];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Builds the app when dist/ is missing (npm install builds it; a fresh checkout may not have). */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(webRoot, 'dist', 'index.html'))) return;
  const vite = await import('vite');
  await vite.build({ root: webRoot, configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
}

export type Server = SpawnedProcess;

/** From source (as the server's own end-to-end tests spawn it): always the code under test. */
export function startServer(adminToken: string): Promise<Server> {
  return startFlowbridge({ dataDir: { temp: 'flowbridge-web-e2e-' }, token: adminToken });
}

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, `${name}.png`);
}

/** JSON over HTTP with the admin token, for what the test sets up outside the browser. */
export const apiClient = bearerClient;
