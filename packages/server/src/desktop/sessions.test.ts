// The session rules in one process, with the agent protocol spoken directly: placement and
// priority, what an agent that went away or restarted leaves behind, timeouts, removal, and whom a
// session runs as. (desktop/e2e.test.ts runs the same with real agent processes.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { harness, type Harness } from './test-support.js';
import type { UiFlowConnection } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const connections: Record<string, UiFlowConnection> = {};

async function setup(h: Harness) {
  const group = (await h.call('POST', '/api/v1/machine-groups', { name: 'Robots' })).body;
  const flow = (
    await h.call('POST', '/api/v1/desktop-flows', {
      name: 'echo',
      language: 'bash',
      script: 'true',
      inputs: { type: 'object', properties: { n: { type: 'integer' }, tag: { type: 'string', default: 'x' } } },
      outputs: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
    })
  ).body;
  return { group, flow };
}

/** A fake agent speaking the protocol. */
async function agent(h: Harness, key: string, name: string, attended = false) {
  const reg = await h.call('POST', '/api/agent/v1/register', { registrationKey: key, name, attended }, null);
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const token = reg.body.credential as string;
  return {
    id: reg.body.machineId as string,
    token,
    poll: async (running: string[] = []) => (await h.call('POST', '/api/agent/v1/poll', { running }, token)).body,
    start: (id: string) => h.call('POST', `/api/agent/v1/sessions/${id}/start`, {}, token),
    result: (id: string, body: object) => h.call('POST', `/api/agent/v1/sessions/${id}/result`, body, token),
  };
}

describe('desktop sessions (in process)', () => {
  let h: Harness;
  let group: { id: string; registrationKey: string };
  let flow: { id: string };
  const run = async (body: object) => {
    const res = await h.call('POST', `/api/v1/desktop-flows/${flow.id}/run`, { machineGroupId: group.id, ...body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const status = async (id: string) => (await h.call('GET', `/api/v1/desktop-flow-sessions/${id}`)).body;
  /** The session once it has ended (the sweep runs every 100 ms; a loaded machine may be slower). */
  const ended = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const s = await status(id);
      if (!['Waiting', 'Running'].includes(s.status)) return s;
      await sleep(50);
    }
    assert.fail(`session ${id} did not end`);
  };

  before(async () => {
    h = await harness({ resolveConnection: { resolve: async (name) => connections[name] } });
    ({ group, flow } = await setup(h));
    connections.bob = { machineGroupId: group.id, username: 'bob', password: 'p@ss' };
  });
  after(async () => h.dispose());

  it('a machine runs the group queue: high, then a custom 75, then normal, oldest first; inputs get defaults', async () => {
    const a = await agent(h, group.registrationKey, 'queue');
    const normal1 = await run({ inputs: { n: 1 } });
    const normal2 = await run({ runPriority: null, inputs: { n: 2 } });
    const custom = await run({ runPriority: '75', inputs: { n: 3 } });
    const high = await run({ runPriority: 'high', inputs: { n: 4 } });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const offer = (await a.poll()).offer;
      order.push(offer.sessionId);
      const started = await a.start(offer.sessionId);
      assert.equal(started.body.inputs.tag, 'x');
      assert.equal(
        (await a.result(offer.sessionId, { status: 'Succeeded', outputs: { ok: true } })).body.accepted,
        true,
      );
    }
    assert.deepEqual(order, [high, custom, normal1, normal2]);
    assert.equal((await status(normal2)).status, 'Succeeded');
  });

  it('bad inputs are a 400 before anything is queued; a bad output fails the session', async () => {
    const before = (await h.call('GET', '/api/v1/desktop-flow-sessions')).body.value.length;
    const bad = await h.call('POST', `/api/v1/desktop-flows/${flow.id}/run`, {
      machineGroupId: group.id,
      inputs: { n: 'x' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidInputs');
    assert.equal((await h.call('GET', '/api/v1/desktop-flow-sessions')).body.value.length, before);
    const a = await agent(h, group.registrationKey, 'outputs');
    const id = await run({});
    await a.start((await a.poll()).offer.sessionId);
    await a.result(id, { status: 'Succeeded', outputs: { ok: 'yes' } });
    const s = await status(id);
    assert.deepEqual([s.status, s.errorCode], ['Failed', 'InvalidOutputs']);
  });

  it('attended sessions go only to attended machines; a session for one machine only to it', async () => {
    const plain = await agent(h, group.registrationKey, 'plain');
    const attended = await agent(h, group.registrationKey, 'desk', true);
    const forDesk = await run({ runMode: 'attended' });
    assert.equal((await plain.poll()).offer, null, 'an unattended-only machine is not offered it');
    assert.equal((await attended.poll()).offer.sessionId, forDesk);
    await attended.start(forDesk);
    const forPlain = await run({ machineId: plain.id });
    assert.equal((await plain.poll()).offer.sessionId, forPlain);
    await plain.start(forPlain);
    await attended.result(forDesk, { status: 'Succeeded', outputs: { ok: true } });
    await plain.result(forPlain, { status: 'Failed', errorCode: 'Boom', errorMessage: 'it broke' });
    const s = await status(forPlain);
    assert.deepEqual([s.status, s.statuscode, s.errorCode, s.machineId], ['Failed', 8, 'Boom', plain.id]);
  });

  it('an offer the agent never started is offered again; a running session it no longer holds is Faulted', async () => {
    const a = await agent(h, group.registrationKey, 'restarts');
    const first = await run({ machineId: a.id });
    assert.equal((await a.poll()).offer.sessionId, first);
    assert.equal((await a.poll()).offer.sessionId, first, 'the lost offer comes again');
    await a.start(first);
    assert.equal((await a.poll([first])).offer, null);
    await a.poll([]); // the agent restarted and holds nothing
    const s = await status(first);
    assert.deepEqual([s.status, s.statuscode, s.errorCode], ['Faulted', 9, 'AgentRestarted']);
    assert.deepEqual((await a.result(first, { status: 'Succeeded', outputs: { ok: true } })).body, {
      accepted: false,
      statuscode: 9,
    });
  });

  it('a machine that stops answering: its running session ends Faulted and is not run again', async () => {
    const a = await agent(h, group.registrationKey, 'vanishes');
    const id = await run({ machineId: a.id });
    await a.start((await a.poll()).offer.sessionId);
    const s = await ended(id); // offline after 1 s, swept every 100 ms
    assert.deepEqual([s.status, s.errorCode], ['Faulted', 'MachineUnreachable']);
    const m = (await h.call('GET', `/api/v1/machines/${a.id}`)).body;
    assert.equal(m.status, 'offline');
  });

  it('cancel: a waiting session at once, a running one through its agent', async () => {
    const a = await agent(h, group.registrationKey, 'cancels');
    const waiting = await run({ machineId: a.id });
    const cancelled = await h.call('POST', `/api/v1/desktop-flow-sessions/${waiting}/cancel`);
    assert.deepEqual([cancelled.body.status, cancelled.body.statuscode], ['Cancelled', 7]);
    const running = await run({ machineId: a.id });
    await a.start((await a.poll()).offer.sessionId);
    assert.equal((await h.call('POST', `/api/v1/desktop-flow-sessions/${running}/cancel`)).body.status, 'Running');
    assert.deepEqual((await a.poll([running])).cancel, [running]);
    await a.result(running, { status: 'Cancelled' });
    assert.equal((await status(running)).statuscode, 7);
  });

  it('a session still waiting at its timeout ends TimedOut', async () => {
    const id = await run({
      runMode: 'attended',
      machineId: (await agent(h, group.registrationKey, 'idle')).id,
      timeout: '1',
    });
    const s = await ended(id);
    assert.deepEqual([s.status, s.statuscode, s.errorCode], ['TimedOut', 10, 'TimedOut']);
  });

  it("the connection's password goes only to the machine of an unattended session, when it starts", async () => {
    const a = await agent(h, group.registrationKey, 'creds', true);
    const unattended = (
      await h.call('POST', `/api/v1/desktop-flows/${flow.id}/run`, { connectionName: 'bob', runMode: 'unattended' })
    ).body;
    assert.equal(JSON.stringify(unattended).includes('p@ss'), false, 'the session never shows it');
    assert.deepEqual((await a.start((await a.poll()).offer.sessionId)).body.runAs, {
      username: 'bob',
      password: 'p@ss',
    });
    await a.result(unattended.id, { status: 'Succeeded', outputs: { ok: true } });
    const attended = (
      await h.call('POST', `/api/v1/desktop-flows/${flow.id}/run`, { connectionName: 'bob', runMode: 'attended' })
    ).body;
    assert.deepEqual((await a.start((await a.poll()).offer.sessionId)).body.runAs, { username: 'bob' });
    await a.result(attended.id, { status: 'Succeeded', outputs: { ok: true } });
    const rows = await h.store.desktop.listSessions({ limit: 1000 });
    assert.equal(JSON.stringify(rows).includes('p@ss'), false, 'nothing stored holds it');
  });

  it('a removed machine: its credential stops working and its running session ends Faulted', async () => {
    const a = await agent(h, group.registrationKey, 'removed');
    const id = await run({ machineId: a.id });
    await a.start((await a.poll()).offer.sessionId);
    assert.equal((await h.call('DELETE', `/api/v1/machines/${a.id}`)).status, 204);
    assert.equal((await h.call('POST', '/api/agent/v1/poll', { running: [id] }, a.token)).status, 401);
    assert.equal((await status(id)).status, 'Faulted');
    const audit = (await h.call('GET', '/api/v1/audit?limit=200')).body.value as Array<{
      action: string;
      target: string;
    }>;
    for (const action of ['machineGroup.create', 'desktopFlow.create', 'machine.register', 'desktopSession.cancel']) {
      assert.ok(
        audit.some((e) => e.action === action),
        `${action} is audited`,
      );
    }
    assert.ok(audit.some((e) => e.action === 'machine.remove' && e.target === `machine:${a.id}`));
  });

  it('machine groups need a unique name; a rotated key registers, the old one does not', async () => {
    assert.equal((await h.call('POST', '/api/v1/machine-groups', { name: 'robots' })).status, 409);
    const rotated = (await h.call('POST', `/api/v1/machine-groups/${group.id}/rotateKey`)).body;
    const old = await h.call(
      'POST',
      '/api/agent/v1/register',
      { registrationKey: group.registrationKey, name: 'x' },
      null,
    );
    assert.equal(old.status, 401);
    group.registrationKey = rotated.registrationKey;
    assert.equal((await agent(h, group.registrationKey, 'after-rotation')).token.startsWith('fbm_'), true);
  });
});
