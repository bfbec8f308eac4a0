// Serving the built web app: the app's routes answer index.html with a strict CSP, hashed assets
// are cached for a year (gzip when asked), nothing else is served, and without a build `/` says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { APP_ROUTES, webFiles } from './web.js';

async function serve(build: Record<string, string> | null) {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-web-'));
  for (const [name, text] of Object.entries(build ?? {})) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const app = Fastify();
  await app.register(webFiles({ dir }));
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
const build = {
  'index.html': '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>',
  'assets/index-AbC123.js': script,
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
};

test('every app route answers index.html with a strict Content-Security-Policy', async () => {
  const s = await serve(build);
  try {
    for (const url of ['/', '/flows', '/flows/f-1', '/runs/r-1', '/approvals', '/admin', '/setup']) {
      const res = await s.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, build['index.html'], url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
    assert.equal(APP_ROUTES.length, 7);
  } finally {
    await s.close();
  }
});

test('hashed assets: long cache, gzip when accepted; unknown paths are 404', async () => {
  const s = await serve(build);
  try {
    const plain = await s.app.inject({ url: '/assets/index-AbC123.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, script);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    const zipped = await s.app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.rawPayload).toString(), script);
    assert.ok(zipped.rawPayload.length < script.length / 10);
    assert.equal((await s.app.inject({ url: '/favicon.svg' })).statusCode, 200);
    for (const url of ['/assets/nope.js', '/assets/../index.html', '/assets/%2e%2e/index.html', '/elsewhere'])
      assert.equal((await s.app.inject({ url })).statusCode, 404, url);
  } finally {
    await s.close();
  }
});

test('without a build the app routes say so, and nothing else breaks', async () => {
  const s = await serve(null);
  try {
    for (const url of ['/', '/flows']) {
      const res = await s.app.inject({ url });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /web app is not built/);
    }
    assert.equal((await s.app.inject({ url: '/assets/index-AbC123.js' })).statusCode, 404);
  } finally {
    await s.close();
  }
});
