// Desktop flows end to end, as an operator sets them up and a BPM client uses them: `flowbridge
// start` and two `flowbridge agent` processes (one --attended) in one machine group; bash scripts;
// a Dataverse client with an OAuth client-credentials token and a callback receiver; a cloud flow
// whose RunUIFlow_V2 action uses the outputs. Then the hard cases: priority order, cancel and
// timeout (the process tree is killed), the server killed mid-session (the session completes and
// is reported), and an agent killed mid-session (Faulted, not run again).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../cli/main.js';
import { captureIO } from '../cli/test-support.js';
import { client, startProcess, type ServerProcess } from '../host/e2e-support.js';

const TOKEN = 'desktop-e2e-admin-token';
const DV = '/api/data/v9.2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const entry = fileURLToPath(new URL('../host/test-cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVER_ENV = {
  FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
  FLOWBRIDGE_DESKTOP_POLL_MS: '500',
  // An agent silent this long is offline and its session Faulted: long enough that a loaded CI
  // machine (a poll every 500 ms) does not fault a live one mid-test.
  FLOWBRIDGE_DESKTOP_OFFLINE_MS: '5000',
  FLOWBRIDGE_DESKTOP_SWEEP_MS: '250',
  FLOWBRIDGE_DESKTOP_ACTION_POLL_SECONDS: '60',
};

interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function startAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, 'agent', ...args], {
    cwd: root,
    env: { ...process.env, FLOWBRIDGE_AGENT_RETRY_MAX_MS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Whether a process with `marker` in its command line runs. */
function running(marker: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

describe('desktop flows end to end (flowbridge start, two flowbridge agent processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-desktop-e2e-'));
  let server: ServerProcess;
  let port = 0;
  const agents: Record<'a' | 'b', AgentProcess | undefined> = { a: undefined, b: undefined };
  const machineIds: Record<string, string> = {};
  let hook: Server;
  let hookUrl = '';
  const callbacks: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
  let groupId = '';
  let echoId = '';
  let sleeperId = '';
  const api = (method: string, path: string, body?: unknown) => client(server.url, TOKEN)(method, path, body);
  const cli = async (...args: string[]) => {
    const io = captureIO({ env: { FLOWBRIDGE_URL: server.url, FLOWBRIDGE_TOKEN: TOKEN } });
    const code = await main(args, io);
    assert.equal(code, 0, io.err);
    return io.out;
  };
  const session = async (id: string) => (await api('GET', `/api/v1/desktop-flow-sessions/${id}`)).body;
  const until = async (id: string, done: (s: any) => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await session(id);
      if (done(s)) return s;
      if (Date.now() > deadline) assert.fail(`session ${id} is ${s.status}: ${JSON.stringify(s)}`);
      await sleep(100);
    }
  };
  const ended = (id: string, timeoutMs?: number) =>
    until(id, (s) => !['Waiting', 'Running'].includes(s.status), timeoutMs);
  const runOn = async (flowId: string, body: object) => {
    const res = await api('POST', `/api/v1/desktop-flows/${flowId}/run`, { machineGroupId: groupId, ...body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  };

  before(async () => {
    hook = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        callbacks.push({ headers: req.headers, body: JSON.parse(text) });
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/camunda-callback`;
    server = await startProcess(['--data-dir', join(dir, 'data')], SERVER_ENV);
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await Promise.all([agents.a?.kill(), agents.b?.kill()]);
    await server?.kill();
    hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets up a machine group, two desktop flows and two agents (one attended) with the CLI and the API', async () => {
    const group = await api('POST', '/api/v1/machine-groups', { name: 'Back office' });
    assert.equal(group.status, 201);
    groupId = group.body.id;
    const echo = await api('POST', '/api/v1/desktop-flows', {
      name: 'Invoice entry',
      language: 'bash',
      script: [
        'echo "entering invoice for $FLOWBRIDGE_INPUT_CUSTOMER"',
        'sleep "${FLOWBRIDGE_INPUT_SECONDS:-0}"',
        'echo "{\\"Invoice\\": \\"INV-$FLOWBRIDGE_INPUT_CUSTOMER\\", \\"Pid\\": $$}" > "$FLOWBRIDGE_OUTPUTS"',
      ].join('\n'),
      inputs: {
        type: 'object',
        properties: { Customer: { type: 'string' }, Seconds: { type: 'number' } },
        required: ['Customer'],
      },
      outputs: { type: 'object', properties: { Invoice: { type: 'string' } }, required: ['Invoice'] },
    });
    assert.equal(echo.status, 201, JSON.stringify(echo.body));
    echoId = echo.body.id;
    const script = join(dir, 'sleeper.sh');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(script, 'sleep "$FLOWBRIDGE_INPUT_MARK" &\nsleep "${FLOWBRIDGE_INPUT_MARK}1"\n');
    const inputs = join(dir, 'sleeper-inputs.json');
    writeFileSync(inputs, JSON.stringify({ type: 'object', properties: { Mark: { type: 'string' } } }));
    assert.match(
      await cli('desktop-flows', 'create', script, '--name', 'Sleeper', '--inputs', inputs),
      /created desktop flow 'Sleeper'/,
    );
    sleeperId = (JSON.parse(await cli('desktop-flows', 'list', '--json')) as Array<{ id: string; name: string }>).find(
      (f) => f.name === 'Sleeper',
    )!.id;

    const key = group.body.registrationKey as string;
    const common = ['--server', server.url, '--registration-key', key];
    agents.a = startAgent([...common, '--name', 'desk-a', '--attended', '--state-dir', join(dir, 'agent-a')]);
    agents.b = startAgent([...common, '--name', 'robot-b', '--state-dir', join(dir, 'agent-b')]);
    for (let i = 0; ; i++) {
      const machines = JSON.parse(await cli('machines', 'list', '--json')) as Array<Record<string, string>>;
      for (const m of machines) machineIds[m.name!] = m.id!;
      if (machines.length === 2 && machines.every((m) => m.status === 'online')) break;
      if (i > 150) assert.fail(`agents did not come online:\n${agents.a.output()}\n${agents.b.output()}`);
      await sleep(100);
    }
    assert.match(await cli('machines', 'list'), /desk-a\s+Back office\s+online\s+yes/);
  });

  it('a Dataverse client with a client-credentials token runs two sessions at once, on both machines, and gets callbacks', async () => {
    const created = await api('POST', '/api/v1/clients', { roles: ['operator'], name: 'camunda' });
    const basic = Buffer.from(`${created.body.client_id}:${created.body.client_secret}`).toString('base64');
    const tokenRes = await fetch(`${server.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${server.url}/.default` }),
    });
    assert.equal(tokenRes.status, 200);
    const bpm = client(server.url, ((await tokenRes.json()) as { access_token: string }).access_token);

    const flows = await bpm('GET', `${DV}/workflows?$filter=category eq 6&$select=name,workflowid`);
    const flow = flows.body.value.find((f: { name: string }) => f.name === 'Invoice entry');
    assert.equal(flow.workflowid, echoId);
    assert.deepEqual(
      Object.keys((await bpm('GET', `${DV}/workflows(${echoId})/inputs/$value`)).body.schema.properties),
      ['Customer', 'Seconds'],
    );
    const start = (customer: string) =>
      bpm('POST', `${DV}/workflows(${echoId})/Microsoft.Dynamics.CRM.RunDesktopFlow`, {
        runMode: 'unattended',
        runPriority: 'normal',
        connectionName: 'Back office',
        connectionType: '1',
        timeout: '600',
        inputs: JSON.stringify({ Customer: customer, Seconds: 1 }),
        callbackUrl: hookUrl,
      });
    const [one, two] = await Promise.all([start('Contoso'), start('Fabrikam')]);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    const ids = [one.body.flowsessionId as string, two.body.flowsessionId as string];
    const machines = new Set<string>();
    for (const [i, id] of ids.entries()) {
      for (let n = 0; ; n++) {
        const s = await bpm(
          'GET',
          `${DV}/flowsessions(${id})?$select=statuscode,statecode,startedon,completedon,_machineid_value`,
        );
        assert.equal(s.status, 200);
        if (s.body.statuscode === 4) {
          machines.add(s.body._machineid_value);
          break;
        }
        assert.ok([2, 3].includes(s.body.statuscode) && n < 150, JSON.stringify(s.body));
        await sleep(100);
      }
      const outputs = await bpm('GET', `${DV}/flowsessions(${id})/outputs/$value`);
      assert.equal(outputs.body.Invoice, `INV-${i === 0 ? 'Contoso' : 'Fabrikam'}`);
    }
    assert.equal(machines.size, 2, 'one session on each machine of the group');
    for (let n = 0; callbacks.length < 2 && n < 50; n++) await sleep(100);
    assert.deepEqual(callbacks.map((c) => c.body.flowsessionid).sort(), [...ids].sort());
    assert.ok(callbacks.every((c) => c.body.statuscode === 4 && c.headers['x-ms-workflow-id'] === echoId));
    assert.ok(callbacks.every((c) => /^sha256=[0-9a-f]{64}$/.test(String(c.headers['x-flowbridge-signature']))));
    const log = await fetch(`${server.url}/api/v1/desktop-flow-sessions/${ids[0]}/log`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.match(await log.text(), /entering invoice for Contoso/);
  });

  it('attended sessions run on the --attended machine only', async () => {
    for (let i = 0; i < 2; i++) {
      const s = await ended(await runOn(echoId, { runMode: 'attended', inputs: { Customer: `A${i}` } }));
      assert.deepEqual([s.status, s.machineId], ['Succeeded', machineIds['desk-a']]);
    }
  });

  it('runs a machine queue by priority: high, a custom 75, then normal oldest first', async () => {
    const b = machineIds['robot-b'];
    const blocker = await runOn(echoId, { machineId: b, inputs: { Customer: 'block', Seconds: 1.5 } });
    await until(blocker, (s) => s.status === 'Running');
    const queued: Array<[string, unknown]> = [
      ['n1', 'normal'],
      ['h', 'high'],
      ['n2', null],
      ['c75', 75],
    ];
    const ids: Record<string, string> = {};
    for (const [name, runPriority] of queued) {
      ids[name] = await runOn(echoId, { machineId: b, runPriority, inputs: { Customer: name } });
    }
    const started: Array<[string, string]> = [];
    for (const name of Object.keys(ids)) started.push([name, (await ended(ids[name]!)).startedAt]);
    assert.deepEqual(
      started.sort((x, y) => x[1].localeCompare(y[1])).map(([n]) => n),
      ['h', 'c75', 'n1', 'n2'],
    );
  });

  it('a cloud flow waits on RunUIFlow_V2 and uses the outputs', async () => {
    const definition = {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Run_desktop_flow: {
          type: 'OpenApiConnection',
          inputs: {
            host: {
              connectionName: 'shared_uiflow',
              operationId: 'RunUIFlow_V2',
              apiId: '/providers/Microsoft.PowerApps/apis/shared_uiflow',
            },
            parameters: {
              uiFlowId: echoId,
              runMode: 'unattended',
              machineGroupId: groupId,
              'item/Customer': "@triggerBody()?['customer']",
            },
          },
        },
        Reply: {
          type: 'Response',
          runAfter: { Run_desktop_flow: ['Succeeded'] },
          inputs: { statusCode: 200, body: { invoice: "@body('Run_desktop_flow')?['Invoice']" } },
        },
      },
    };
    const flow = await api('POST', '/api/v1/flows', { name: 'order to invoice', definition });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const url = (await api('POST', `/api/v1/flows/${flow.body.id}/triggers/manual/listCallbackUrl`)).body.value;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"customer":"Northwind"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { invoice: 'INV-Northwind' });
  });

  it('cancel (Dataverse CancelDesktopFlowRun) ends it Cancelled (7) and kills its process tree', async () => {
    const mark = `61.${process.pid}`;
    const id = await runOn(sleeperId, { inputs: { Mark: mark } });
    await until(id, (s) => s.status === 'Running');
    for (let i = 0; !running(`sleep ${mark}1`) && i < 50; i++) await sleep(100);
    assert.ok(running(`sleep ${mark}`), 'the script and its background child run');
    const res = await fetch(`${server.url}${DV}/flowsessions(${id})/Microsoft.Dynamics.CRM.CancelDesktopFlowRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    assert.equal(res.status, 204);
    const s = await ended(id);
    assert.deepEqual([s.status, s.statuscode], ['Cancelled', 7], JSON.stringify(s)); // the whole session when not: its errorCode says who ended it
    await sleep(300);
    assert.equal(running(`sleep ${mark}`), false, 'the process tree was killed');
  });

  it('a session past its timeout ends TimedOut (10) and its processes are killed', async () => {
    const mark = `62.${process.pid}`;
    const id = await runOn(sleeperId, { timeout: 2, inputs: { Mark: mark } });
    const s = await ended(id);
    assert.deepEqual([s.status, s.statuscode, s.errorCode], ['TimedOut', 10, 'TimedOut']);
    await sleep(300);
    assert.equal(running(`sleep ${mark}`), false);
  });

  it('the server killed mid-session: the sessions finish meanwhile, are reported when it is back, and the waiting cloud run goes on', async () => {
    const id = await runOn(echoId, { machineId: machineIds['robot-b'], inputs: { Customer: 'Restart', Seconds: 2 } });
    const definition = {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Run_desktop_flow: {
          type: 'OpenApiConnection',
          inputs: {
            host: {
              connectionName: 'shared_uiflow',
              operationId: 'RunUIFlow_V2',
              apiId: '/providers/Microsoft.PowerApps/apis/shared_uiflow',
            },
            parameters: {
              uiFlowId: echoId,
              runMode: 'attended',
              machineId: machineIds['desk-a'],
              'item/Customer': 'Durable',
              'item/Seconds': 2,
            },
          },
        },
      },
      outputs: { invoice: { type: 'String', value: "@body('Run_desktop_flow')?['Invoice']" } },
    };
    const flow = await api('POST', '/api/v1/flows', { name: 'waits across a restart', definition });
    const runId = (await api('POST', `/api/v1/flows/${flow.body.id}/triggers/manual/run`, {})).body.runId as string;
    await until(id, (s) => s.status === 'Running');
    const sessions = await api('GET', '/api/v1/desktop-flow-sessions?limit=5');
    const cloudSession = sessions.body.value.find((x: { runId: string | null }) => x.runId === runId).id as string;
    await until(cloudSession, (s) => s.status === 'Running');
    await server.kill('SIGKILL');
    const down = Date.now();
    await sleep(3_000); // the scripts end while nobody listens
    server = await startProcess(['--data-dir', join(dir, 'data'), '--port', String(port)], SERVER_ENV);
    const s = await ended(id);
    assert.equal(s.status, 'Succeeded');
    assert.equal(s.outputs.Invoice, 'INV-Restart');
    assert.ok(
      Date.parse(s.completedAt) < down + 3_000,
      'its completion time is when it ended, not when it was reported',
    );
    for (let i = 0; ; i++) {
      const run = await api('GET', `/api/v1/runs/${runId}`);
      if (run.body.status === 'Succeeded') {
        assert.equal(run.body.outputs.invoice, 'INV-Durable');
        break;
      }
      assert.ok(['Running', 'Waiting'].includes(run.body.status) && i < 150, JSON.stringify(run.body));
      await sleep(100);
    }
  });

  it('an agent killed mid-session (kill -9): the session ends Faulted (9) and is not run again', async () => {
    const mark = `63.${process.pid}`;
    const id = await runOn(sleeperId, { runMode: 'attended', inputs: { Mark: mark } });
    await until(id, (s) => s.status === 'Running');
    assert.equal((await session(id)).machineId, machineIds['desk-a']);
    await agents.a!.kill('SIGKILL');
    const s = await ended(id);
    assert.deepEqual([s.status, s.statuscode, s.errorCode], ['Faulted', 9, 'MachineUnreachable']);
    const machine = (await api('GET', `/api/v1/machines/${machineIds['desk-a']}`)).body;
    assert.equal(machine.status, 'offline');
    // Started again with its state folder, it reconnects as the same machine and kills the orphan.
    agents.a = startAgent(['--state-dir', join(dir, 'agent-a'), '--attended']);
    for (let i = 0; running(`sleep ${mark}`) && i < 300; i++) await sleep(100);
    assert.equal(running(`sleep ${mark}`), false, 'the orphaned script was killed');
    assert.equal((await until(id, () => true)).status, 'Faulted', 'never run again');
    const next = await ended(await runOn(echoId, { runMode: 'attended', inputs: { Customer: 'again' } }));
    assert.deepEqual([next.status, next.machineId], ['Succeeded', machineIds['desk-a']]);
  });
});
