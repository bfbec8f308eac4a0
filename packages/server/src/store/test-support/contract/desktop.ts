// Store contract cases (run by store/contract.test.ts on both backends): desktop flows, machines
// and their sessions.
import assert from 'node:assert/strict';
import { rejectsWith } from './support.js';
import type { Case } from './support.js';

export const desktopCases: Case[] = [
  [
    'desktop: groups, machines, flow versions, the session queue and its compare-and-set moves',
    async ({ store }, clock) => {
      const d = store.desktop;
      const g = await d.createMachineGroup({ id: 'g1', environmentId: 'default', name: 'Robots', keyHash: 'k1' });
      await rejectsWith(
        d.createMachineGroup({ id: 'g2', environmentId: 'default', name: 'Robots', keyHash: 'k2' }),
        'Conflict',
      );
      assert.equal((await d.findMachineGroup({ keyHash: 'k1' }))?.id, 'g1');
      assert.equal((await d.findMachineGroup({ environmentId: 'default', name: 'robots' }))?.id, 'g1');
      assert.ok(await d.setMachineGroupKey('g1', 'k3'));
      assert.equal(await d.findMachineGroup({ keyHash: 'k1' }), undefined);

      const a = await d.registerMachine({
        id: 'm1',
        groupId: g.id,
        name: 'a',
        credentialHash: 'c1',
        attended: true,
        agent: {},
      });
      const b = await d.registerMachine({
        id: 'm2',
        groupId: g.id,
        name: 'b',
        credentialHash: 'c2',
        attended: false,
        agent: {},
      });
      assert.deepEqual([a.replaced, b.replaced], [false, false]);
      const again = await d.registerMachine({
        id: 'm9',
        groupId: g.id,
        name: 'b',
        credentialHash: 'c9',
        attended: false,
        agent: { version: '2' },
      });
      assert.deepEqual([again.replaced, again.machine.id], [true, 'm2']);
      assert.equal(await d.findMachineByCredential('c2'), undefined, 'the old credential stops working');
      assert.equal((await d.findMachineByCredential('c9'))?.agent.version, '2');

      const script = { language: 'bash' as const, script: 'echo', inputs: { type: 'object' }, outputs: {} };
      const { flow } = await d.createDesktopFlow({
        id: 'f1',
        environmentId: 'default',
        name: 'F',
        ownerId: null,
        version: script,
      });
      await d.saveDesktopFlowVersion(flow.id, { ...script, script: 'echo 2' }, { expectedVersion: 1 });
      await rejectsWith(d.saveDesktopFlowVersion(flow.id, script, { expectedVersion: 1 }), 'Conflict');
      assert.equal((await d.getDesktopFlowVersion(flow.id))?.script, 'echo 2');
      assert.equal((await d.getDesktopFlowVersion(flow.id, 1))?.script, 'echo');
      assert.deepEqual((await d.listDesktopFlows(['other'])).length, 0);

      const base = {
        environmentId: 'default',
        flowId: flow.id,
        flowVersion: 2,
        groupId: g.id,
        targetMachineId: null,
        runMode: 2 as const,
        priority: 50,
        triggerType: 3,
        connectionName: null,
        inputs: { x: 1 },
        timeoutSeconds: 60,
        callbackUrl: null,
        runId: null,
        createdBy: null,
      };
      await d.createSession({ ...base, id: 's-normal' });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-attended', runMode: 1, priority: 100 });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-high', priority: 100, callbackUrl: 'http://hook' });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-for-a', targetMachineId: 'm1', priority: 1000 });
      // b is not attended-capable and s-for-a is a's: b gets the high one, then the normal one.
      const forB = await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now());
      assert.equal(forB?.id, 's-high');
      const forA = await d.claimSession({ id: 'm1', groupId: g.id, attended: true }, clock.now());
      assert.equal(forA?.id, 's-for-a');
      assert.equal((await d.claimSession({ id: 'm1', groupId: g.id, attended: true }, clock.now()))?.id, 's-attended');
      assert.equal((await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now()))?.id, 's-normal');
      assert.equal(await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now()), undefined);

      assert.ok(await d.releaseSession('s-normal', 'm2'));
      assert.equal(await d.startSession('s-normal', 'm2', clock.now()), undefined, 'released: not startable');
      const started = await d.startSession('s-high', 'm2', clock.now());
      assert.equal(started?.status, 2);
      assert.equal(await d.startSession('s-high', 'm2', clock.now()), undefined, 'started once');
      assert.deepEqual(
        (await d.machineSessions('m2')).map((s) => s.id),
        ['s-high'],
      );
      assert.ok(await d.requestCancel('s-high'));
      assert.equal(await d.requestCancel('s-normal'), false, 'only Running sessions are marked');

      const end = { status: 4, from: [2], outputs: { y: 2 }, completedAt: clock.now(), machineId: 'm2' };
      assert.equal(await d.finishSession('s-high', { ...end, machineId: 'm1' }), undefined, 'not its machine');
      const done = await d.finishSession('s-high', end);
      assert.deepEqual([done?.status, done?.outputs, done?.callbackState], [4, { y: 2 }, 'pending']);
      assert.equal(await d.finishSession('s-high', { ...end, status: 9 }), undefined, 'ended once');
      assert.deepEqual(
        (await d.pendingCallbacks(0)).map((s) => s.id),
        ['s-high'],
      );
      await d.setCallbackState('s-high', 'delivered');
      assert.deepEqual(await d.pendingCallbacks(0), []);

      await d.startSession('s-for-a', 'm1', clock.now());
      await d.touchMachine('m1', clock.now() - 10_000);
      assert.deepEqual((await d.sessionsOfLostMachines(clock.now())).map((s) => s.id).sort(), [
        's-attended',
        's-for-a',
      ]);
      await d.touchMachine('m1', clock.now() + 1);
      assert.deepEqual(await d.sessionsOfLostMachines(clock.now()), []);
      assert.ok(await d.removeMachine('m1'));
      assert.equal((await d.sessionsOfLostMachines(0)).length, 2, 'a removed machine loses its sessions');

      clock.advance(61_000);
      assert.deepEqual((await d.expiredSessions(clock.now(), 0)).map((s) => s.id).sort(), ['s-attended', 's-normal']);
      assert.deepEqual(
        (await d.expiredSessions(0, clock.now())).map((s) => s.id),
        ['s-for-a'],
      );

      assert.ok(await d.appendSessionLog('s-normal', 'hello\n', clock.now(), 10));
      assert.ok(await d.appendSessionLog('s-normal', 'world, and more\n', clock.now(), 10));
      assert.equal(await d.appendSessionLog('s-normal', 'dropped', clock.now(), 10), false);
      assert.match((await d.readSessionLog('s-normal')).map((l) => l.text).join(''), /^hello\nworl\n\[log truncated\]/);
      assert.deepEqual(
        (await d.listSessions({ flowId: flow.id, limit: 2 })).map((s) => s.id),
        ['s-for-a', 's-high'],
      );
    },
  ],
];
