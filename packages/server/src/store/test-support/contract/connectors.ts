// Contract cases of the connectors aggregate: connector versions, connections, flow references,
// connector trigger state.
import assert from 'node:assert/strict';
import type { Case } from './support.js';
import { rejectsWith } from './support.js';

const connection = (name: string, extra: Record<string, unknown> = {}) => ({
  environmentId: 'default',
  name,
  connectorName: 'shared_x',
  parameters: { host: 'h' },
  sealedSecrets: 'fbs1.sealed',
  status: 'Connected',
  ...extra,
});

export const connectorCases: Case[] = [
  [
    'connectors keep a version per import; get gives the current one unless asked',
    async ({ store }) => {
      const v1 = await store.putConnector({
        environmentId: 'default',
        name: 'shared_x',
        apiId: 'a',
        connector: { v: 1 },
      });
      assert.equal(v1.version, 1);
      const v2 = await store.putConnector({
        environmentId: 'default',
        name: 'shared_x',
        apiId: 'a',
        connector: { v: 2 },
      });
      assert.equal(v2.version, 2);
      assert.deepEqual((await store.getConnector('default', 'shared_x'))?.connector, { v: 2 });
      assert.deepEqual((await store.getConnector('default', 'shared_x', 1))?.connector, { v: 1 });
      assert.equal(await store.getConnector('other', 'shared_x'), undefined);
      assert.deepEqual(
        (await store.listConnectors('default')).map((c) => [c.name, c.version]),
        [['shared_x', 2]],
      );
      assert.equal(await store.deleteConnector('default', 'shared_x'), true);
      assert.equal(await store.getConnector('default', 'shared_x'), undefined);
      assert.equal(await store.deleteConnector('default', 'shared_x'), false);
    },
  ],
  [
    'connections: create, Conflict on a taken name, update, list by connector, delete',
    async ({ store }) => {
      const made = await store.createConnection(connection('c1'));
      assert.equal(made.sealedSecrets, 'fbs1.sealed');
      assert.deepEqual(made.parameters, { host: 'h' });
      await rejectsWith(store.createConnection(connection('c1')), 'Conflict');
      await store.createConnection(connection('c2', { connectorName: 'shared_y', sealedSecrets: null }));
      const updated = await store.updateConnection(connection('c1', { status: 'Error', displayName: 'One' }));
      assert.equal(updated.status, 'Error');
      assert.equal(updated.displayName, 'One');
      await rejectsWith(store.updateConnection(connection('nope')), 'NotFound');
      assert.deepEqual(
        (await store.listConnections({ connectorName: 'shared_y' })).map((c) => c.name),
        ['c2'],
      );
      assert.equal(await store.deleteConnection('default', 'c1'), true);
      assert.equal(await store.getConnection('default', 'c1'), undefined);
    },
  ],
  [
    'flow connection references are replaced whole; none is {}',
    async ({ store }) => {
      assert.deepEqual(await store.getFlowConnectionReferences('f1'), {});
      await store.setFlowConnectionReferences('f1', { a: 'c1', b: 'c2' });
      await store.setFlowConnectionReferences('f1', { a: 'c3' });
      assert.deepEqual(await store.getFlowConnectionReferences('f1'), { a: 'c3' });
    },
  ],
  [
    'connector trigger state is kept per flow and trigger, upserted and deleted',
    async ({ store }) => {
      await store.putConnectorTrigger({
        flowId: 'f1',
        triggerName: 'When',
        kind: 'webhook',
        location: 'https://svc/subs/1',
        fingerprint: 'fp',
        state: null,
        nextAt: null,
      });
      await store.putConnectorTrigger({
        flowId: 'f1',
        triggerName: 'Poll',
        kind: 'polling',
        location: null,
        fingerprint: null,
        state: { nextUrl: 'https://svc/next?c=2' },
        nextAt: 1000,
      });
      await store.putConnectorTrigger({
        flowId: 'f1',
        triggerName: 'Poll',
        kind: 'polling',
        location: null,
        fingerprint: null,
        state: { nextUrl: 'https://svc/next?c=3' },
        nextAt: 2000,
      });
      const poll = await store.getConnectorTrigger('f1', 'Poll');
      assert.deepEqual(poll?.state, { nextUrl: 'https://svc/next?c=3' });
      assert.equal(poll?.nextAt, 2000);
      assert.deepEqual(
        (await store.listConnectorTriggers({ kind: 'webhook' })).map((t) => t.location),
        ['https://svc/subs/1'],
      );
      assert.equal((await store.listConnectorTriggers({ flowId: 'f1' })).length, 2);
      assert.equal(await store.deleteConnectorTrigger('f1', 'When'), true);
      assert.equal(await store.getConnectorTrigger('f1', 'When'), undefined);
    },
  ],
];
