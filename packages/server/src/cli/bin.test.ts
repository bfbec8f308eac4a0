// The built `flowbridge` bin (packages/server/bin/flowbridge.js), as users run it: the bundle that
// `npm run build` makes (or dist/ when there is none). Libraries that load on first use, not at
// start, must load there too: XML and time zones in expressions, ajv for ParseJson, QuickJS for
// JavaScriptCode, the OpenAPI document; and `start` must serve. Needs `npm run build` first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../effects/test-server.js';

const BIN = fileURLToPath(new URL('../../bin/flowbridge.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
const skip = built ? false : 'packages/server/dist is missing: run `npm run build`';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built bin', { skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowbridge-bin-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const expressions = [
    { expression: "@xpath(xml('<a><b>1</b><b>2</b></a>'), 'sum(//b)')", value: '3.0' },
    { expression: "@json(xml('<a><b>1</b></a>'))", value: '{"a":{"b":"1"}}' },
    {
      expression: "@convertTimeZone('2024-03-10T12:00:00Z', 'UTC', 'Pacific Standard Time')",
      value: '"2024-03-10T05:00:00.0000000"',
    },
  ];
  for (const c of expressions) {
    it(`eval ${c.expression}`, () => {
      const r = cli(['eval', c.expression]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), c.value);
    });
  }

  it('run: ParseJson validates with ajv, JavaScriptCode runs in QuickJS', () => {
    const definition = {
      triggers: { manual: { type: 'Request', kind: 'Http', inputs: {} } },
      actions: {
        Parse: {
          type: 'ParseJson',
          inputs: { content: { a: 'x' }, schema: { type: 'object', properties: { a: { type: 'integer' } } } },
          runAfter: {},
        },
        Script: { type: 'JavaScriptCode', inputs: { code: 'return 40 + 2;' }, runAfter: {} },
      },
    };
    const file = join(dir, 'definition.json');
    writeFileSync(file, JSON.stringify(definition));
    const r = cli(['run', file]);
    const result = JSON.parse(r.stdout);
    assert.equal(result.actions.Parse.status, 'Failed', r.stdout);
    assert.equal(result.actions.Parse.error.code, 'ValidationFailed');
    assert.equal(result.actions.Script.status, 'Succeeded', r.stdout);
    assert.deepEqual(result.actions.Script.outputs, { body: 42 });
  });

  it('run: Http actions go out through the outbound client (undici loads), which refuses metadata', async () => {
    const server = await startTestServer((_req, res) => res.end('{"ok":true}'));
    try {
      const port = new URL(server.url).port;
      const definition = {
        triggers: { manual: { type: 'Request', kind: 'Http', inputs: {} } },
        actions: {
          // A name, so the guarded lookup (undici's Agent) runs, not only the literal check.
          Local: { type: 'Http', inputs: { method: 'GET', uri: `http://localhost:${port}/` }, runAfter: {} },
          Metadata: { type: 'Http', inputs: { method: 'GET', uri: 'http://169.254.169.254/latest/' }, runAfter: {} },
        },
      };
      const file = join(dir, 'http.json');
      writeFileSync(file, JSON.stringify(definition));
      // Asynchronously: the local server must answer while the bin runs.
      const child = spawn(process.execPath, [BIN, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      await new Promise((resolve) => child.once('exit', resolve));
      const result = JSON.parse(stdout);
      assert.equal(result.actions.Local.status, 'Succeeded', JSON.stringify(result.actions.Local.error));
      assert.equal(result.actions.Metadata.error.code, 'OutboundDenied');
    } finally {
      await server.close();
    }
  });

  it('start serves /readyz and the OpenAPI document, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', join(dir, 'data')], {
      env: { ...process.env, FLOWBRIDGE_LOG_LEVEL: 'info', FLOWBRIDGE_ADMIN_TOKEN: 'bin-test-admin-token-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /"url":"([^"]+)"[^\n]*"msg":"flowbridge started"/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code}:\n${out}`));
        });
      });
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const doc = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as { openapi: string };
      assert.match(doc.openapi, /^3\.1/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
