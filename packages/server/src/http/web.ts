/**
 * The web app (packages/web) as the server delivers it: its built files from packages/web/dist at
 * `/` (the app's routes all answer index.html, the app routes in the browser), and the routes that
 * only a browser needs: signing in and out, the first admin's setup, and setting a password.
 * Without a build the server still runs (API only) and `/` says so.
 *
 * Security headers: a strict Content-Security-Policy (everything from this origin, no inline
 * script; the app ships every asset, no CDN), no framing, no MIME sniffing. Files under /assets/
 * carry a content hash in their names, so they are cached for a year; index.html never is.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { passwordRoutes } from './password-routes.js';
import { sessionRoutes } from './session-routes.js';
import type { RouteContext } from './context.js';

/** The paths a person can bookmark: each answers the app's index.html. */
export const APP_ROUTES = ['/', '/flows', '/flows/:id', '/runs/:id', '/approvals', '/admin', '/setup'];

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React and the graph set element styles from script (allowed); no inline <style> or style="" markup.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.map', '.txt', '.html']);

/** packages/web/dist, found through the workspace's node_modules (works from src, dist and the bundle). */
export function defaultWebDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@flowbridge/web/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

interface Asset {
  body: Buffer;
  /** Made at the first request that accepts gzip (null: not worth compressing). */
  gzip: Buffer | null | undefined;
  type: string;
}

function load(path: string, type?: string): Asset {
  const ext = extname(path);
  return {
    body: readFileSync(path),
    gzip: COMPRESSIBLE.has(ext) ? undefined : null,
    type: type ?? TYPES[ext] ?? 'application/octet-stream',
  };
}

function gzipped(asset: Asset): Buffer | null {
  if (asset.gzip === undefined) asset.gzip = asset.body.length > 1024 ? gzipSync(asset.body, { level: 9 }) : null;
  return asset.gzip;
}

interface Build {
  index: Asset;
  files: Map<string, Asset>;
}

/** Every file of the build (the whole app is about a MiB), read at the first request for one. */
function loadBuild(dir: string): Build | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, Asset>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (rel !== 'index.html') files.set(`/${rel}`, load(join(dir, rel)));
    }
  };
  walk('');
  return { index: load(join(dir, 'index.html'), 'text/html; charset=utf-8'), files };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string): FastifyReply {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) ? gzipped(asset) : null;
  reply
    .header('content-type', asset.type)
    .header('cache-control', cache)
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('vary', 'accept-encoding');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ?? asset.body);
}

export interface WebOptions {
  /** The built app; default packages/web/dist. */
  dir?: string;
}

export function webRoutes(ctx: RouteContext, options: WebOptions = {}): FastifyPluginAsync {
  return async (app) => {
    sessionRoutes(app, ctx);
    passwordRoutes(app, ctx);
    await app.register(webFiles(options));
  };
}

/** The built files alone (no sign-in routes). */
export function webFiles(options: WebOptions = {}): FastifyPluginAsync {
  return async (app) => {
    // Read at the first request, not at start: most processes (workers, API clients) never serve it.
    let loaded: Build | null | undefined;
    const getBuild = (): Build | null => {
      if (loaded === undefined) {
        const dir = options.dir ?? defaultWebDir();
        loaded = dir ? loadBuild(dir) : null;
      }
      return loaded;
    };
    const page = async (request: FastifyRequest, reply: FastifyReply) => {
      const build = getBuild();
      if (!build) {
        return reply
          .status(503)
          .header('content-type', 'text/plain; charset=utf-8')
          .send('The web app is not built (npm run build builds packages/web). The API is at /api/v1.\n');
      }
      return send(request, reply, build.index, 'no-cache');
    };
    for (const path of APP_ROUTES) app.get(path, page);
    app.get('/assets/*', async (request, reply) => {
      const asset = getBuild()?.files.get(request.url.split('?')[0]!);
      if (!asset) return reply.status(404).send({ error: { code: 'NotFound', message: 'No such file.' } });
      return send(request, reply, asset, 'public, max-age=31536000, immutable');
    });
    app.get('/favicon.svg', async (request, reply) => {
      const asset = getBuild()?.files.get('/favicon.svg');
      if (!asset) return reply.status(404).send({ error: { code: 'NotFound', message: 'No such file.' } });
      return send(request, reply, asset, 'public, max-age=86400');
    });
  };
}
