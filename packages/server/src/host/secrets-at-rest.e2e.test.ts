// Credentials never in clear in run history or in the data folder: a caller's Authorization header
// and an Http action's bearer token from a `securestring` parameter appear neither in the runs API
// nor in any file of the data folder (SQLite database, WAL included, read as bytes), while the run
// still works (the token reaches the called server). Secret settings and access keys are sealed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const ADMIN = 'e2e-admin-token-secrets';
const CALLER_SECRET = 'caller-bearer-7d1f0c9e2b4a';
const PARAM_SECRET = 'param-token-93ab51e0c6d2';
const OUTPUT_SECRET = 'secured-output-5c2e8a1f7b';
const dir = mkdtempSync(join(tmpdir(), 'flowbridge-secrets-'));
let server: ServerProcess | undefined;
let target: Server | undefined;
after(async () => {
  await server?.kill();
  target?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file of the data folder as bytes, and whether any holds `needle`. */
function folderHolds(needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  return readdirSync(dir).filter((f) => readFileSync(join(dir, f)).includes(bytes));
}

test('secrets stay out of the runs API and out of the data folder; the run still works', async () => {
  const received: string[] = [];
  target = createServer((req, res) => {
    received.push(String(req.headers.authorization));
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"ok":true,"secret":"${OUTPUT_SECRET}"}`);
  });
  await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
  const address = target.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  server = await startProcess(['--data-dir', dir], { FLOWBRIDGE_ADMIN_TOKEN: ADMIN });
  const api = client(server.url, ADMIN);
  const created = await api('POST', '/api/v1/flows', {
    name: 'calls-out',
    definition: {
      parameters: { apiToken: { type: 'securestring' } },
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Call: {
          type: 'Http',
          inputs: {
            method: 'GET',
            uri: `http://127.0.0.1:${port}/data`,
            headers: { Authorization: "Bearer @{parameters('apiToken')}" },
          },
          runtimeConfiguration: { secureData: { properties: ['outputs'] } },
        },
        Reply: {
          type: 'Response',
          runAfter: { Call: ['Succeeded'] },
          inputs: { statusCode: 200, body: { ok: "@body('Call')?['ok']" } },
        },
      },
    },
    parameters: { apiToken: PARAM_SECRET },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const flow = await api('GET', `/api/v1/flows/${id}`);
  assert.ok(!JSON.stringify(flow.body).includes(PARAM_SECRET), 'the flows API never returns a securestring value');

  const url = (await api('POST', `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`, {})).body.value as string;
  const called = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${CALLER_SECRET}`, 'content-type': 'application/json' },
    body: '{"x":1}',
  });
  assert.equal(called.status, 200);
  assert.deepEqual(await called.json(), { ok: true });
  assert.deepEqual(received, [`Bearer ${PARAM_SECRET}`], 'the token reached the called server');
  const runId = called.headers.get('x-ms-workflow-run-id')!;

  const answers = [
    await api('GET', '/api/v1/runs'),
    await api('GET', `/api/v1/runs/${runId}`),
    await api('GET', `/api/v1/runs/${runId}?expand=actions`),
  ];
  for (const a of answers) {
    assert.equal(a.status, 200);
    const text = JSON.stringify(a.body);
    for (const secret of [CALLER_SECRET, PARAM_SECRET, OUTPUT_SECRET]) assert.ok(!text.includes(secret), text);
  }
  const expanded = answers[2]!.body;
  assert.equal(expanded.status, 'Succeeded');
  assert.ok(expanded.trigger.outputs.body, 'the trigger outputs are kept, without the Authorization header');

  assert.ok(
    readdirSync(dir).some((f) => f.endsWith('-wal')),
    'the WAL is searched too',
  );
  const secrets = [CALLER_SECRET, PARAM_SECRET, OUTPUT_SECRET];
  for (const secret of secrets) assert.deepEqual(folderHolds(secret), [], secret);
  await server.kill('SIGTERM');
  for (const secret of secrets) assert.deepEqual(folderHolds(secret), [], secret);

  // Secret settings and the flow's access key are sealed at rest.
  const db = new Database(join(dir, 'flowbridge.db'), { readonly: true });
  try {
    const settings = db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    for (const key of ['auth.jwtSigningKey', 'host.callbackSecret', 'approvals.linkSecret']) {
      const row = settings.find((s) => s.key === key);
      assert.ok(row && String(row.value).includes('fb1:'), `${key}: ${row?.value}`);
    }
    const flowRow = db.prepare('SELECT access_key FROM flows WHERE id = ?').get(id) as { access_key: string };
    assert.match(flowRow.access_key, /^fb1:/);
  } finally {
    db.close();
  }
});
