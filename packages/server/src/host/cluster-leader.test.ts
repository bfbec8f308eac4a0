import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterLeader, type LeaderDuty } from './cluster-leader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock the test hands out and takes away. */
function lock() {
  const state = { holder: null as string | null, released: 0 };
  const storeFor = (who: string) => ({
    tryAcquireLeadership: async () => {
      state.holder ??= who;
      return state.holder === who;
    },
    releaseLeadership: async () => {
      if (state.holder === who) state.holder = null;
      state.released++;
    },
  });
  return { state, storeFor };
}

function duty(): LeaderDuty & { log: string[] } {
  const log: string[] = [];
  return { log, start: () => void log.push('start'), stop: () => void log.push('stop') };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(5);
  assert.ok(check());
}

describe('ClusterLeader', () => {
  it('one of two processes leads; its duties run only while it holds the lock; stop hands it over', async () => {
    const { state, storeFor } = lock();
    const [da, db] = [duty(), duty()];
    const a = new ClusterLeader({ store: storeFor('a'), duties: [da], checkMs: 10 });
    const b = new ClusterLeader({ store: storeFor('b'), duties: [db], checkMs: 10 });
    a.start();
    await until(() => a.leading);
    b.start();
    await sleep(40);
    assert.equal(b.leading, false);
    assert.deepEqual(db.log, []);
    // a's session dies: the lock goes to b; a notices, stops its duties.
    state.holder = 'b';
    await until(() => b.leading && !a.leading);
    assert.deepEqual(da.log, ['start', 'stop']);
    assert.deepEqual(db.log, ['start']);
    // b stops: it gives the lock up at once and a takes it.
    await b.stop();
    assert.deepEqual(db.log, ['start', 'stop']);
    await until(() => a.leading);
    assert.deepEqual(da.log, ['start', 'stop', 'start']);
    await a.stop();
    assert.equal(state.holder, null);
  });
});
