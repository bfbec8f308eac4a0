// What a run keeps once it has let go (live-run.ts, letGo): its outcome, of its init what its end
// reads, and nothing else of its own; writing to what it no longer keeps throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Run, compileWorkflow, type RunInit } from '@flowbridge/engine';
import { letGo, newLive } from './live-run.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: { Response: { type: 'Response', inputs: { statusCode: 200, body: "@triggerBody()?['n']" } } },
};

describe('a run that lets go', () => {
  it('keeps its outcome and the trigger name, not its outputs, maps or executor', async () => {
    const workflow = compileWorkflow(definition);
    const init: RunInit = {
      runId: 'r1',
      workflow: { id: 'f1', name: 'f', version: '1' },
      trigger: { name: 'manual', outputs: { body: { n: 5 } }, startTime: '2026-12-06T00:00:00.0000000Z' },
      now: 0,
    };
    const { run, step } = Run.start(workflow, init);
    assert.equal(step.done, true);
    const live = newLive({ runId: 'r1', flowId: 'f1', durable: true, workflow, init, run }, () => {
      throw new Error('no executor is made for a run without effects');
    });
    const ending = Promise.resolve();
    letGo(live, ending);
    assert.equal(live.run.outcome().status, 'Succeeded');
    assert.deepEqual(live.run.pending(), []);
    assert.equal(live.ending, ending);
    assert.equal(live.init.trigger.name, 'manual');
    assert.equal(live.init.trigger.outputs, undefined);
    assert.throws(() => live.records.set('x', step.records[0]!), { code: 'InvalidState' });
    assert.throws(() => live.inflight.set('x', new AbortController()), { code: 'InvalidState' });
    await assert.rejects(
      Promise.resolve().then(() => live.executor({} as never, {} as never)),
      { code: 'InvalidState' },
    );
  });
});
