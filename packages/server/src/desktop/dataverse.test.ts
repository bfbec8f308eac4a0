// The Dataverse-compatible routes as a BPM client calls them (Camunda's Power Automate connector:
// OAuth client credentials, RunDesktopFlow with numbers as strings and nulls, polling the session,
// the outputs, the callback), the Dataverse error shape, other environments' flows invisible, and
// the operator role.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCallbackBody } from '../util/callback-signature.js';
import { harness, type Harness } from './test-support.js';

const DV = '/api/data/v9.2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('Dataverse-compatible desktop-flow API', () => {
  let h: Harness;
  let hook: Server;
  let hookUrl: string;
  const received: Received[] = [];
  let failFirst = 0;
  let flowId: string;
  let token: string;

  async function clientToken(roles: string[], environmentId = 'default', basic = true): Promise<string> {
    const client = await h.call('POST', '/api/v1/clients', { roles, environmentId });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'http://127.0.0.1:7780/.default' });
    if (!basic) {
      form.set('client_id', client.body.client_id);
      form.set('client_secret', client.body.client_secret);
    }
    const res = await h.server.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(basic
          ? {
              authorization: `Basic ${Buffer.from(`${client.body.client_id}:${client.body.client_secret}`).toString('base64')}`,
            }
          : {}),
      },
      payload: form.toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().access_token;
  }

  before(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failFirst-- > 0 ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    h = await harness();
    const group = (await h.call('POST', '/api/v1/machine-groups', { name: 'Robots' })).body;
    const flow = await h.call('POST', '/api/v1/desktop-flows', {
      name: 'Invoice entry',
      language: 'bash',
      script: 'true',
      inputs: { type: 'object', properties: { Input1: { type: 'string', title: 'Invoice' } }, required: ['Input1'] },
      outputs: { type: 'object', properties: { Output1: { type: 'string' } } },
    });
    flowId = flow.body.id;
    token = await clientToken(['operator']);
    // One machine that completes whatever it is offered.
    const reg = await h.call(
      'POST',
      '/api/agent/v1/register',
      { registrationKey: group.registrationKey, name: 'm' },
      null,
    );
    const credential = reg.body.credential as string;
    void (async () => {
      while (!stopped) {
        const answer = await h.call('POST', '/api/agent/v1/poll', { running: [] }, credential);
        const offer = answer.body?.offer;
        if (!offer) continue;
        const started = await h.call('POST', `/api/agent/v1/sessions/${offer.sessionId}/start`, {}, credential);
        if (started.status !== 200) continue;
        // It works as a real agent does: its polls (the machine's heartbeat) go on while the session
        // runs. Asleep for the whole 'slow' second instead, it was not heard from for as long as
        // the harness's offlineAfterMs (1 s), and a loaded machine saw the session Faulted (9).
        const until = Date.now() + (started.body.inputs.Input1 === 'slow' ? 1_000 : 50);
        while (Date.now() < until) {
          await h.call('POST', '/api/agent/v1/poll', { running: [offer.sessionId] }, credential);
        }
        await h.call(
          'POST',
          `/api/agent/v1/sessions/${offer.sessionId}/result`,
          { status: 'Succeeded', outputs: { Output1: `done ${started.body.inputs.Input1}` } },
          credential,
        );
      }
    })();
  });
  let stopped = false;
  after(async () => {
    stopped = true;
    await sleep(300);
    await h.dispose();
    hook.close();
  });

  it('lists desktop flows and their input and output schemas', async () => {
    const list = await h.call(
      'GET',
      `${DV}/workflows?$filter=category eq 6&$select=name,workflowid&$orderby=name`,
      undefined,
      token,
    );
    assert.equal(list.status, 200);
    assert.match(list.body['@odata.context'], /\$metadata#workflows\(name,workflowid\)$/);
    assert.deepEqual(list.body.value, [{ '@odata.etag': 'W/"1"', name: 'Invoice entry', workflowid: flowId }]);
    const none = await h.call('GET', `${DV}/workflows?$filter=category eq 5`, undefined, token);
    assert.deepEqual(none.body.value, []);
    const one = await h.call('GET', `${DV}/workflows(${flowId})?$select=name,category`, undefined, token);
    assert.deepEqual([one.body.name, one.body.category, one.body.workflowid], ['Invoice entry', 6, undefined]);
    const inputs = await h.call('GET', `${DV}/workflows(${flowId})/inputs/$value`, undefined, token);
    assert.deepEqual(inputs.body.schema.properties.Input1, { type: 'string', title: 'Invoice' });
    const outputs = await h.call('GET', `${DV}/workflows(${flowId})/outputs/$value`, undefined, token);
    assert.equal(outputs.body.schema.type, 'object');
  });

  it('runs a desktop flow, polls it to Succeeded (4), reads the outputs and receives the signed callback', async () => {
    failFirst = 1; // the receiver answers 503 once: the callback is sent again
    const started = await h.call(
      'POST',
      `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
      {
        runMode: 'unattended',
        runPriority: null,
        connectionName: 'Robots',
        connectionType: '1',
        timeout: '600',
        inputs: JSON.stringify({ Input1: 'slow' }),
        callbackUrl: hookUrl,
      },
      token,
    );
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.match(started.body['@odata.context'], /\$metadata#Microsoft\.Dynamics\.CRM\.RunDesktopFlowResponse$/);
    assert.ok('licenseCheck' in started.body);
    const id = started.body.flowsessionId as string;
    const seen = new Set<number>();
    let session;
    for (let i = 0; i < 300; i++) {
      session = await h.call(
        'GET',
        `${DV}/flowsessions(${id})?$select=statuscode,statecode,startedon,completedon`,
        undefined,
        token,
      );
      assert.equal(session.status, 200);
      seen.add(session.body.statuscode);
      if (session.body.statuscode === 4) break;
      await sleep(50);
    }
    assert.equal(session!.body.statuscode, 4, 'it ended Succeeded');
    assert.ok(seen.has(2), 'it was seen Running (2)');
    assert.deepEqual(Object.keys(session!.body).sort(), [
      '@odata.context',
      '@odata.etag',
      'completedon',
      'flowsessionid',
      'startedon',
      'statecode',
      'statuscode',
    ]);
    assert.equal(session!.body.statecode, 0);
    assert.match(session!.body['@odata.etag'], /^W\/"\d+"$/);
    const outputs = await h.call('GET', `${DV}/flowsessions(${id})/outputs/$value`, undefined, token);
    assert.deepEqual(outputs.body, { Output1: 'done slow' });

    await h.desktop.idle();
    const calls = received.filter((r) => r.headers['x-ms-run-id'] === id);
    assert.equal(calls.length, 2, 'a 503 is retried');
    const last = calls[1]!;
    assert.equal(last.headers['x-ms-workflow-id'], flowId);
    assert.equal(last.headers['user-agent'], 'EnterpriseConnectors/1.0');
    const body = JSON.parse(last.body);
    assert.deepEqual(
      { statuscode: body.statuscode, statecode: body.statecode, flowsessionid: body.flowsessionid },
      { statuscode: 4, statecode: 0, flowsessionid: id },
    );
    assert.equal(body.completedon, session!.body.completedon);
    const timestamp = Number(last.headers['x-flowbridge-timestamp']);
    assert.equal(
      last.headers['x-flowbridge-signature'],
      signCallbackBody('desktop-test-callback-secret', timestamp, last.body),
    );
    const stored = await h.store.desktop.getSession(id);
    assert.equal(stored?.callbackState, 'delivered');
  });

  it('accepts numbers, numeric strings and nulls; cancels a session (204, then 7)', async () => {
    const tokenByForm = await clientToken(['operator'], 'default', false);
    for (const options of [
      { connectionType: 1, timeout: 600, runPriority: 'high' },
      { connectionType: '2', timeout: '600', runPriority: '100' },
      { connectionType: null, timeout: null, runPriority: null, callbackUrl: null },
    ]) {
      const res = await h.call(
        'POST',
        `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        { runMode: 'attended', connectionName: 'Robots', inputs: '{"Input1":"x"}', ...options },
        tokenByForm,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      // Attended: the machine here is not attended-capable, so it waits until cancelled.
      const cancel = await h.server.app.inject({
        method: 'POST',
        url: `${DV}/flowsessions(${res.body.flowsessionId})/Microsoft.Dynamics.CRM.CancelDesktopFlowRun`,
        headers: { authorization: `Bearer ${tokenByForm}`, 'content-type': 'application/json' },
      });
      assert.equal(cancel.statusCode, 204);
      const s = await h.call(
        'GET',
        `${DV}/flowsessions(${res.body.flowsessionId})?$select=statuscode`,
        undefined,
        tokenByForm,
      );
      assert.equal(s.body.statuscode, 7);
    }
  });

  it('answers errors in the Dataverse shape', async () => {
    const cases: Array<[string, string, string, unknown, number, string]> = [
      [
        'unknown session',
        'GET',
        `${DV}/flowsessions(00000000-0000-0000-0000-000000000000)`,
        undefined,
        404,
        '0x80040217',
      ],
      [
        'unknown flow',
        'POST',
        `${DV}/workflows(00000000-0000-0000-0000-000000000000)/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        {},
        404,
        '0x80040217',
      ],
      ['unknown segment', 'GET', `${DV}/accounts`, undefined, 404, '0x80040217'],
      [
        'no connection',
        'POST',
        `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        { runMode: 'unattended' },
        400,
        '0x80040203',
      ],
      [
        'bad run mode',
        'POST',
        `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        { runMode: 'x', connectionName: 'Robots' },
        400,
        '0x80040203',
      ],
      [
        'inputs that fail the schema',
        'POST',
        `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        { runMode: 'unattended', connectionName: 'Robots', inputs: '{}' },
        400,
        '0x80040203',
      ],
      ['bad $select', 'GET', `${DV}/workflows?$select=nope`, undefined, 400, '0x80040203'],
    ];
    for (const [name, method, url, body, status, code] of cases) {
      const res = await h.call(method, url, body, token);
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message'], name);
      assert.equal(res.body.error.code, code, name);
    }
    const anonymous = await h.call('GET', `${DV}/workflows`, undefined, null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
  });

  it("hides other environments' flows, and needs the operator role to run", async () => {
    assert.equal((await h.call('POST', '/api/v1/environments', { name: 'Other', id: 'other' })).status, 201);
    const outsider = await clientToken(['operator'], 'other');
    const list = await h.call('GET', `${DV}/workflows?$filter=category eq 6`, undefined, outsider);
    assert.deepEqual(list.body.value, []);
    assert.equal((await h.call('GET', `${DV}/workflows(${flowId})/inputs/$value`, undefined, outsider)).status, 404);
    const run = { runMode: 'unattended', connectionName: 'Robots', inputs: '{"Input1":"x"}' };
    const url = `${DV}/workflows(${flowId})/Microsoft.Dynamics.CRM.RunDesktopFlow`;
    assert.equal((await h.call('POST', url, run, outsider)).status, 404);
    const approver = await clientToken(['user']);
    const refused = await h.call('POST', url, run, approver);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, '0x80040220');
  });
});
