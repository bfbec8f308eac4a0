import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerRedaction, redactUrl } from './log-redact.js';

test('credentials in request URLs are redacted, the rest is kept', () => {
  const cases: Array<[string, string]> = [
    [
      '/api/v1/workflows/f1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=SECRETSIG',
      '/api/v1/workflows/f1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=[redacted]',
    ],
    ['/approvals/respond?token=LINKTOKEN', '/approvals/respond?token=[redacted]'],
    ['/x?SIG=a&Token=b&keep=c', '/x?SIG=[redacted]&Token=[redacted]&keep=c'],
    ['/x?%73ig=a', '/x?%73ig=[redacted]'],
    ['/api/v1/callbacks/run1/HMACSIG/key1', '/api/v1/callbacks/run1/[redacted]/key1'],
    ['/api/v1/flows?top=5', '/api/v1/flows?top=5'],
    ['/api/v1/flows', '/api/v1/flows'],
  ];
  for (const [url, expected] of cases) assert.equal(redactUrl(url), expected, url);
});

test('a pino logger with the redaction writes no sig, token or authorization header', () => {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = pino(loggerRedaction, sink);
  log.info({ req: { method: 'GET', url: '/p?sig=SECRETSIG', headers: { authorization: 'Bearer T' } } }, 'in');
  log.info({ headers: { authorization: 'Bearer SECRETBEARER', cookie: 'c=SECRETCOOKIE' } }, 'h');
  assert.ok(out.includes('/p?sig=[redacted]'), out);
  for (const secret of ['SECRETSIG', 'SECRETBEARER', 'SECRETCOOKIE', 'Bearer T']) assert.ok(!out.includes(secret), out);
});
