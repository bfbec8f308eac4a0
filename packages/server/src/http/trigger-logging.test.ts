// Trigger calls at the default log level (info): no per-call request lines (each call is recorded
// in its run or the trigger history, and in the metrics), but their errors are still logged; at
// debug they log as every route does. Other routes keep their request lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerRedaction } from '../util/log-redact.js';
import { testServer } from './test-support.js';

const flow = {
  definition: {
    $schema:
      'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    contentVersion: '1.0.0.0',
    triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'POST' } } },
    actions: { Response: { type: 'Response', inputs: { statusCode: 200, body: '@triggerBody()' } } },
  },
};

async function callsLogged(level: 'info' | 'debug'): Promise<Array<{ msg: string; url: string }>> {
  const lines: Array<{ msg: string; url: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { msg: string; req?: { url?: string }; url?: string };
        lines.push({ msg: entry.msg, url: entry.req?.url ?? '' });
      }
      done();
    },
  });
  const t = await testServer({ log: pino({ level, ...loggerRedaction }, sink) });
  try {
    const { app } = t.server;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: t.auth,
      payload: { name: 'f', ...flow },
    });
    const id = (JSON.parse(created.body) as { id: string }).id;
    const cb = await app.inject({
      method: 'POST',
      url: `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`,
      headers: t.auth,
    });
    const signed = new URL((JSON.parse(cb.body) as { value: string }).value);
    const ok = await app.inject({ method: 'POST', url: signed.pathname + signed.search, payload: { a: 1 } });
    assert.equal(ok.statusCode, 200);
    // The wrong method: a 405 answered through the error handler.
    const wrong = await app.inject({ method: 'PUT', url: signed.pathname + signed.search, payload: { a: 1 } });
    assert.equal(wrong.statusCode, 405);
    return lines;
  } finally {
    await t.dispose();
  }
}

describe('trigger call logging', () => {
  it('at info: API calls log their request lines, trigger calls do not', async () => {
    const lines = await callsLogged('info');
    assert.ok(lines.some((l) => l.msg === 'incoming request' && l.url.startsWith('/api/v1/flows')));
    assert.ok(!lines.some((l) => l.msg === 'incoming request' && l.url.includes('/paths/invoke')));
  });

  it('at debug: trigger calls log their request lines too (the signature redacted, as `flowbridge start` sets up)', async () => {
    const lines = await callsLogged('debug');
    const invoked = lines.filter((l) => l.msg === 'incoming request' && l.url.includes('/paths/invoke'));
    assert.equal(invoked.length, 2);
    for (const l of invoked) assert.match(l.url, /sig=\[redacted\]/);
  });
});
