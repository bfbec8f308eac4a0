import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, type TestServer } from './test-support.js';

// A Request trigger with a schema and no EnableSchemaValidation option.
const flow = (kind: string) => ({
  definition: {
    triggers: {
      manual: {
        type: 'Request',
        kind,
        inputs: { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
      },
    },
    actions: { Compose: { type: 'Compose', inputs: '@triggerBody()' } },
  },
});

// [server setting, how the trigger is started, kind] → status for a body that misses `name`.
const cases: Array<['always' | 'trigger', 'url' | 'run', string, number]> = [
  ['always', 'url', 'Http', 400],
  ['always', 'run', 'Http', 400],
  ['trigger', 'url', 'Http', 202],
  ['trigger', 'run', 'Http', 202],
  ['trigger', 'run', 'Button', 400],
  ['trigger', 'run', 'PowerAppV2', 400],
];

for (const setting of ['always', 'trigger'] as const) {
  describe(`trigger schema validation: server setting '${setting}'`, () => {
    let t: TestServer;
    before(async () => {
      t = await testServer({ schemaValidation: setting });
    });
    after(async () => {
      await t.dispose();
    });
    for (const [, via, kind, status] of cases.filter((c) => c[0] === setting)) {
      it(`${kind} trigger started through ${via === 'url' ? 'its signed URL' : '/run'}: ${status}`, async () => {
        const created = await t.server.app.inject({
          method: 'POST',
          url: '/api/v1/flows',
          headers: t.auth,
          payload: { name: `f-${via}-${kind}`, ...flow(kind) },
        });
        assert.equal(created.statusCode, 201, created.body);
        const id = (JSON.parse(created.body) as { id: string }).id;
        let res;
        if (via === 'url') {
          const cb = await t.server.app.inject({
            method: 'POST',
            url: `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`,
            headers: t.auth,
          });
          const url = new URL((JSON.parse(cb.body) as { value: string }).value);
          res = await t.server.app.inject({ method: 'POST', url: url.pathname + url.search, payload: { other: 1 } });
        } else {
          res = await t.server.app.inject({
            method: 'POST',
            url: `/api/v1/flows/${id}/triggers/manual/run`,
            headers: t.auth,
            payload: { other: 1 },
          });
        }
        assert.equal(res.statusCode, status, res.body);
        if (status === 400) assert.equal(JSON.parse(res.body).error.code, 'SchemaValidationFailed');
      });
    }
  });
}
