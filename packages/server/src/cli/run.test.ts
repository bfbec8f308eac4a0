import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { captureIO } from './test-support.js';
import { parameterValues } from './run.js';
import { startTestServer, type TestServer } from '../effects/test-server.js';

const capture = () => captureIO();

let dir: string;
let server: TestServer;
let flakyCalls = 0;
async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
// The tests walk arbitrary run-result JSON; typing every path would only restate the assertions.
type Json = any;
async function cli(args: string[]): Promise<{ code: number; out: string; err: string; result: Json }> {
  const io = capture();
  const code = await main(args, io);
  let result: unknown;
  try {
    result = JSON.parse(io.out);
  } catch {
    result = undefined;
  }
  return { code, out: io.out, err: io.err, result };
}

const request = { manual: { type: 'Request', kind: 'Http', inputs: {} } };
const composeResponse = {
  definition: {
    triggers: request,
    actions: {
      Compose: { type: 'Compose', inputs: "@mul(triggerBody()?['n'], 2)", runAfter: {} },
      Response: {
        type: 'Response',
        kind: 'Http',
        inputs: { statusCode: 201, body: { doubled: "@outputs('Compose')" } },
        runAfter: { Compose: ['Succeeded'] },
      },
    },
  },
};
const httpCall = (uri: string) => ({
  properties: {
    definition: {
      triggers: request,
      actions: {
        Call: {
          type: 'Http',
          inputs: { method: 'POST', uri, body: '@triggerBody()', retryPolicy: { type: 'none' } },
          runAfter: {},
        },
        Answer: { type: 'Compose', inputs: "@body('Call')?['echo']", runAfter: { Call: ['Succeeded'] } },
      },
    },
  },
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowbridge-run-'));
  server = await startTestServer((req, res) => {
    if (req.url === '/async') {
      res.statusCode = 202;
      res.setHeader('location', `${server.url}/async-status`);
      res.setHeader('retry-after', '1');
      res.end();
      return;
    }
    if (req.url === '/flaky') {
      flakyCalls++;
      res.statusCode = flakyCalls < 3 ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echo: flakyCalls }));
      return;
    }
    if (req.url === '/fail') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ echo: JSON.parse(req.body || 'null'), runId: req.headers['x-ms-workflow-run-id'] }));
  });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('flowbridge run', () => {
  test('Request trigger + Compose + Response: result JSON, exit 0', async () => {
    const def = await file('compose.json', composeResponse);
    const r = await cli(['run', def, '--trigger-body', '{"n":21}']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.result.status, 'Succeeded');
    assert.deepEqual(r.result.trigger, {
      name: 'manual',
      outputs: { headers: { 'Content-Type': 'application/json' }, queries: {}, body: { n: 21 } },
    });
    assert.equal(r.result.actions.Compose.outputs, 42);
    assert.deepEqual(r.result.response, { statusCode: 201, headers: r.result.response.headers, body: { doubled: 42 } });
    assert.equal(r.err, '');
  });

  test('--trigger-body from a file, --compact prints one line', async () => {
    const def = await file('compose2.json', composeResponse);
    const body = await file('body.json', { n: 5 });
    const r = await cli(['run', def, '--trigger-body', body, '--compact']);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim().split('\n').length, 1);
    assert.equal(r.result.actions.Compose.outputs, 10);
  });

  test('an Http action calls the local server (ARM wrapper)', async () => {
    const def = await file('http.json', httpCall(`${server.url}/echo`));
    const r = await cli(['run', def, '--trigger-body', '{"hello":"world"}']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.result.actions.Answer.outputs, { hello: 'world' });
    assert.equal(r.result.actions.Call.outputs.statusCode, 200);
    const sent = server.requests.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.body, '{"hello":"world"}');
    assert.ok(sent.headers['x-ms-workflow-run-id']);
  });

  test('a failing Http action fails the run: exit 1', async () => {
    const def = await file('http-fail.json', httpCall(`${server.url}/fail`));
    const r = await cli(['run', def]);
    assert.equal(r.code, 1);
    assert.equal(r.result.status, 'Failed');
    assert.equal(r.result.actions.Call.status, 'Failed');
    assert.equal(r.result.actions.Answer.status, 'Skipped');
  });

  test('202 + Location: the engine polls and the final response is the result (virtual time)', async () => {
    const def = await file('async.json', httpCall(`${server.url}/async`));
    const r = await cli(['run', def, '--trigger-body', '{"a":1}', '--virtual-time']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.result.actions.Call.outputs.statusCode, 200);
    assert.equal(server.requests.at(-1)!.url, '/async-status');
    assert.equal(server.requests.at(-1)!.method, 'GET');
  });

  test('503 is retried by the retry policy until it succeeds (virtual time)', async () => {
    const def = await file('flaky.json', {
      definition: {
        triggers: request,
        actions: {
          Call: {
            type: 'Http',
            inputs: {
              method: 'GET',
              uri: `${server.url}/flaky`,
              retryPolicy: { type: 'fixed', count: 3, interval: 'PT10S' },
            },
            runAfter: {},
          },
        },
      },
    });
    flakyCalls = 0;
    const r = await cli(['run', def, '--virtual-time']);
    assert.equal(r.code, 0, r.err);
    assert.equal(flakyCalls, 3);
    assert.deepEqual(r.result.actions.Call.outputs.body, { echo: 3 });
  });

  test('JavaScriptCode reads trigger and earlier actions', async () => {
    const def = await file('js.json', {
      definition: {
        triggers: request,
        actions: {
          Compose: { type: 'Compose', inputs: 'abc', runAfter: {} },
          Code: {
            type: 'JavaScriptCode',
            inputs: {
              code: 'return workflowContext.actions.Compose.outputs.toUpperCase() + workflowContext.trigger.outputs.body.n;',
            },
            runAfter: { Compose: ['Succeeded'] },
          },
        },
      },
    });
    const r = await cli(['run', def, '--trigger-body', '{"n":7}']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.result.actions.Code.outputs, { body: 'ABC7' });
  });

  test('--mock replaces an Http action: nothing is sent', async () => {
    const def = await file('http-mock.json', httpCall(`${server.url}/echo`));
    const mock = await file('mock.json', {
      Call: { status: 'Succeeded', outputs: { statusCode: 200, headers: {}, body: { echo: 'mocked' } } },
    });
    const count = server.requests.length;
    const r = await cli(['run', def, '--mock', mock]);
    assert.equal(r.code, 0, r.err);
    assert.equal(server.requests.length, count);
    assert.equal(r.result.actions.Answer.outputs, 'mocked');
  });

  test('a connector action without a mock fails with ConnectorNotAvailable; with one it runs', async () => {
    const def = await file('connector.json', {
      definition: {
        triggers: request,
        actions: {
          Get_item: {
            type: 'OpenApiConnection',
            inputs: {
              host: {
                apiId: '/providers/Microsoft.PowerApps/apis/shared_sharepointonline',
                connectionName: 'sp',
                operationId: 'GetItem',
              },
              parameters: {},
            },
            runAfter: {},
          },
        },
      },
    });
    const r = await cli(['run', def]);
    assert.equal(r.code, 1);
    assert.equal(r.result.actions.Get_item.error.code, 'ConnectorNotAvailable');
    const mock = await file('connector-mock.json', {
      actions: { get_item: { status: 'Succeeded', outputs: { statusCode: 200, body: { Title: 'x' } } } },
    });
    const mocked = await cli(['run', def, '--mock', mock]);
    assert.equal(mocked.code, 0, mocked.err);
    assert.deepEqual(mocked.result.actions.Get_item.outputs.body, { Title: 'x' });
  });

  test('--virtual-time completes Wait PT1H at once; Recurrence trigger outputs {}', async () => {
    const def = await file('wait.json', {
      triggers: { Recurrence: { type: 'Recurrence', recurrence: { frequency: 'Hour', interval: 1 } } },
      actions: {
        Delay: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Hour' } }, runAfter: {} },
        Done: { type: 'Compose', inputs: '@triggerOutputs()', runAfter: { Delay: ['Succeeded'] } },
      },
    });
    const started = Date.now();
    const r = await cli(['run', def, '--virtual-time']);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.result.actions.Done.outputs, {});
    const start = Date.parse(r.result.actions.Delay.startTime);
    const end = Date.parse(r.result.actions.Delay.endTime);
    assert.equal(end - start, 3_600_000);
  });

  test('--parameters supplies parameter values (parameters.json form)', async () => {
    const def = await file('params.json', {
      definition: {
        parameters: { greeting: { type: 'String', defaultValue: 'Hello' } },
        triggers: request,
        actions: { Compose: { type: 'Compose', inputs: "@parameters('greeting')", runAfter: {} } },
      },
    });
    const params = await file('params-values.json', { greeting: { type: 'String', value: 'Bonjour' } });
    const r = await cli(['run', def, '--parameters', params]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.result.actions.Compose.outputs, 'Bonjour');
    const defaults = await cli(['run', def]);
    assert.equal(defaults.result.actions.Compose.outputs, 'Hello');
  });

  test('--settings: appsetting() reads the file (local.settings.json form too), over FLOWBRIDGE_APPSETTING_ variables', async () => {
    const def = await file('settings-def.json', {
      definition: {
        triggers: request,
        actions: {
          Compose: {
            type: 'Compose',
            inputs: { url: "@appsetting('Api_Url')", region: "@appsetting('Region')", none: "@appsetting('Nope')" },
            runAfter: {},
          },
        },
      },
    });
    const plain = await file('settings.json', { Api_Url: 'https://api.test' });
    const local = await file('local.settings.json', { IsEncrypted: false, Values: { Api_Url: 'https://local.test' } });
    process.env.FLOWBRIDGE_APPSETTING_Region = 'eu';
    process.env.FLOWBRIDGE_APPSETTING_Api_Url = 'https://from-env.test';
    try {
      const cases: Array<[string[], Record<string, unknown>]> = [
        [[], { url: 'https://from-env.test', region: 'eu', none: null }],
        [['--settings', plain], { url: 'https://api.test', region: 'eu', none: null }],
        [['--settings', local], { url: 'https://local.test', region: 'eu', none: null }],
      ];
      for (const [args, expected] of cases) {
        const r = await cli(['run', def, ...args]);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(r.result.actions.Compose.outputs, expected);
      }
    } finally {
      delete process.env.FLOWBRIDGE_APPSETTING_Region;
      delete process.env.FLOWBRIDGE_APPSETTING_Api_Url;
    }
    const bad = await file('bad-settings.json', { n: 1 });
    const r = await cli(['run', def, '--settings', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /must be a string/);
  });

  test('--trigger-headers (JSON text or a file) become the trigger outputs headers', async () => {
    const def = await file('headers-def.json', {
      definition: {
        triggers: request,
        actions: { Compose: { type: 'Compose', inputs: "@triggerOutputs()?['headers']?['X-Tenant']", runAfter: {} } },
      },
    });
    const headersFile = await file('headers.json', { 'X-Tenant': 'acme', 'X-Count': 3 });
    for (const arg of ['{"X-Tenant":"acme"}', headersFile]) {
      const r = await cli(['run', def, '--trigger-headers', arg, '--trigger-body', '{}']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.result.actions.Compose.outputs, 'acme');
    }
    const bad = await cli(['run', def, '--trigger-headers', '{"X": {"nested": 1}}']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--trigger-headers/);
  });

  test('--arm-parameters: an ARM template runs as its evaluated definition, with its parameter values', async () => {
    const template = await file('arm-template.json', {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { suffix: { type: 'string', defaultValue: 'default' } },
      variables: { who: "[toUpper(parameters('suffix'))]" },
      resources: [
        {
          type: 'Microsoft.Logic/workflows',
          properties: {
            definition: {
              parameters: { label: { type: 'String' } },
              triggers: request,
              actions: {
                Compose: {
                  type: 'Compose',
                  runAfter: {},
                  inputs: "[concat('@{triggerBody()?[''n'']}-', variables('who'), '-@{parameters(''label'')}')]",
                },
              },
            },
            parameters: { label: { value: "[concat('L', parameters('suffix'))]" } },
          },
        },
      ],
    });
    const armParameters = await file('arm-parameters.json', {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { suffix: { value: 'prod' } },
    });
    const r = await cli(['run', template, '--arm-parameters', armParameters, '--trigger-body', '{"n": 7}']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.result.actions.Compose.outputs, '7-PROD-Lprod');
    const defaults = await cli(['run', template, '--trigger-body', '{"n": 1}']);
    assert.equal(defaults.result.actions.Compose.outputs, '1-DEFAULT-Ldefault');
    const bad = await file('arm-bad.json', { parameters: { suffix: 'not wrapped' } });
    const refused = await cli(['run', template, '--arm-parameters', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /InvalidArmParameters/);
  });

  test('a Workflow action runs a child definition found next to the parent', async () => {
    await file('project/Child/workflow.json', {
      definition: {
        triggers: request,
        actions: {
          Response: {
            type: 'Response',
            kind: 'Http',
            inputs: { statusCode: 200, body: "@concat('child got ', triggerBody()?['x'])" },
            runAfter: {},
          },
        },
      },
      kind: 'Stateful',
    });
    const parent = await file('project/Parent/workflow.json', {
      definition: {
        triggers: request,
        actions: {
          Call_child: {
            type: 'Workflow',
            inputs: { host: { workflow: { id: 'Child' }, triggerName: 'manual' }, body: { x: 'y' } },
            runAfter: {},
          },
        },
      },
      kind: 'Stateful',
    });
    const r = await cli(['run', parent]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.result.actions.Call_child.outputs.body, 'child got y');
  });

  const invalidCases = [
    {
      name: 'runAfter names a missing action',
      content: {
        definition: {
          triggers: request,
          actions: { A: { type: 'Compose', inputs: 1, runAfter: { Nope: ['Succeeded'] } } },
        },
      },
      stderr: /\/definition\/actions\/A\/runAfter/,
    },
    {
      name: 'unknown action type',
      content: { triggers: request, actions: { A: { type: 'Frobnicate', runAfter: {} } } },
      stderr: /\/actions\/A/,
    },
    { name: 'bad JSON', content: '{ not json', stderr: /bad-json\.json' is not valid JSON/ },
  ];
  for (const [i, c] of invalidCases.entries()) {
    test(`invalid definition (${c.name}) → exit 2, errors on stderr, nothing on stdout`, async () => {
      const def = await file(c.name === 'bad JSON' ? 'bad-json.json' : `invalid-${i}.json`, c.content);
      const r = await cli(['run', def]);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, c.stderr);
    });
  }

  const badInputs = [
    {
      name: 'missing definition file',
      args: (d: string) => ['run', join(d, 'nope.json')],
      stderr: /cannot read .*nope\.json/,
    },
    {
      name: 'unreadable mock file',
      args: (d: string) => ['run', join(d, 'compose.json'), '--mock', join(d, 'missing-mock.json')],
      stderr: /missing-mock\.json/,
    },
    {
      name: 'bad trigger body',
      args: (d: string) => ['run', join(d, 'compose.json'), '--trigger-body', '{oops'],
      stderr: /--trigger-body/,
    },
    { name: 'no definition named', args: () => ['run'], stderr: /Usage/ },
    {
      name: 'unknown option',
      args: (d: string) => ['run', join(d, 'compose.json'), '--frob'],
      stderr: /unknown option '--frob'/,
    },
  ];
  for (const c of badInputs) {
    test(`${c.name} → exit 2 with a message`, async () => {
      await file('compose.json', composeResponse);
      const r = await cli(c.args(dir));
      assert.equal(r.code, 2);
      assert.match(r.err, c.stderr);
    });
  }

  test('an invalid mock file → exit 2 naming the entry', async () => {
    const def = await file('compose3.json', composeResponse);
    const mock = await file('bad-mock.json', { Call: { status: 'Sometimes' } });
    const r = await cli(['run', def, '--mock', mock]);
    assert.equal(r.code, 2);
    assert.match(r.err, /\/Call\/status/);
  });
});

describe('parameterValues', () => {
  const cases = [
    { input: { a: 1, b: 'x' }, expected: { a: 1, b: 'x' } },
    { input: { a: { value: 1 }, b: { type: 'String', value: 'x' } }, expected: { a: 1, b: 'x' } },
    { input: { $schema: 's', contentVersion: '1', parameters: { a: { value: [1] } } }, expected: { a: [1] } },
    { input: { a: { value: 1, other: 2 } }, expected: { a: { value: 1, other: 2 } } },
    { input: [1], expected: undefined },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.input), () => assert.deepEqual(parameterValues(c.input), c.expected));
  }
});
