import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../store/index.js';
import { sqliteBackend, type Fresh } from '../store/test-support/backends.js';
import { HostError } from './errors.js';
import { fireTrigger, type FireOutcome, type TriggerFiring } from './fire-trigger.js';
import type { StartRunRequest } from './types.js';
import { WorkflowCache } from './workflows.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const OCCURRENCE = Date.UTC(2026, 0, 1, 11, 55);

interface Case {
  name: string;
  /** The trigger `t` besides its type. */
  trigger: Record<string, unknown>;
  firing?: Partial<Omit<TriggerFiring, 'flow'>>;
  /** startRun throws this on the call with that index (0-based). */
  failAt?: [number, Error];
  outcome: FireOutcome;
  /** What startRun was asked: the outputs, and scheduledTime / clientTrackingId when given. */
  started: Array<Partial<StartRunRequest>>;
  /** The trigger history: [at, status, code]. */
  history: Array<[number, string, string | null]>;
}

const tooMany = new HostError('TooManyRuns', 'full');
const request = { headers: { 'X-A': '1' }, body: { go: true, items: [1, 2] } };

const cases: Case[] = [
  {
    name: 'fires one run with the outputs as given',
    trigger: {},
    outcome: { kind: 'fired', runIds: ['run-1'] },
    started: [{ outputs: request }],
    history: [],
  },
  {
    name: 'splitOn: one run per item, with the headers',
    trigger: { splitOn: "@triggerBody()?['items']" },
    outcome: { kind: 'fired', runIds: ['run-1', 'run-2'] },
    started: [{ outputs: { headers: request.headers, body: 1 } }, { outputs: { headers: request.headers, body: 2 } }],
    history: [],
  },
  {
    name: 'splitOn over an empty array fires no run',
    trigger: { splitOn: "@json('[]')" },
    outcome: { kind: 'fired', runIds: [] },
    started: [],
    history: [],
  },
  {
    name: 'conditions false: skipped, in the history at the evaluation time',
    trigger: { conditions: [{ expression: "@equals(triggerBody()?['go'], false)" }] },
    outcome: { kind: 'skipped' },
    started: [],
    history: [[NOW, 'Skipped', null]],
  },
  {
    name: 'a condition that is not a boolean: failed, in the history as Failed',
    trigger: { conditions: [{ expression: "@triggerBody()?['items']" }] },
    outcome: {
      kind: 'failed',
      error: { code: 'InvalidTemplate', message: 'A trigger condition must evaluate to a boolean.' },
    },
    started: [],
    history: [[NOW, 'Failed', 'InvalidTemplate']],
  },
  {
    name: 'splitOn that is not an array: failed InvalidSplitOn',
    trigger: { splitOn: "@triggerBody()?['go']" },
    outcome: {
      kind: 'failed',
      error: { code: 'InvalidSplitOn', message: 'The splitOn expression must evaluate to an array.' },
    },
    started: [],
    history: [[NOW, 'Failed', 'InvalidSplitOn']],
  },
  {
    name: 'no such trigger: failed NoTrigger, in the history',
    trigger: {},
    firing: { triggerName: 'other' },
    outcome: { kind: 'failed', error: { code: 'NoTrigger', message: "The definition has no trigger 'other'." } },
    started: [],
    history: [[NOW, 'Failed', 'NoTrigger']],
  },
  {
    name: 'refused by the concurrency limit: the runs started before it, and Failed TooManyRequests',
    trigger: { splitOn: "@triggerBody()?['items']" },
    failAt: [1, tooMany],
    outcome: { kind: 'refused', code: 'TooManyRequests', message: 'full', runIds: ['run-1'] },
    started: [{ outputs: { headers: request.headers, body: 1 } }],
    history: [[NOW, 'Failed', 'TooManyRequests']],
  },
  {
    name: 'Recurrence: the occurrence is the runs’ scheduledTime',
    trigger: {},
    firing: { outputs: {}, scheduledTime: OCCURRENCE },
    outcome: { kind: 'fired', runIds: ['run-1'] },
    started: [{ outputs: {}, scheduledTime: OCCURRENCE }],
    history: [],
  },
  {
    name: 'Recurrence: a skipped occurrence is in the history at its time',
    trigger: { conditions: [{ expression: '@false' }] },
    firing: { outputs: {}, scheduledTime: OCCURRENCE },
    outcome: { kind: 'skipped' },
    started: [],
    history: [[OCCURRENCE, 'Skipped', null]],
  },
  {
    name: 'the client tracking id goes to every run',
    trigger: {},
    firing: { clientTrackingId: 'ct-1' },
    outcome: { kind: 'fired', runIds: ['run-1'] },
    started: [{ outputs: request, clientTrackingId: 'ct-1' }],
    history: [],
  },
];

describe('fireTrigger', () => {
  let fresh: Fresh;
  let store: SqlStore;
  before(async () => {
    fresh = await sqliteBackend.fresh({ now: () => NOW });
    store = fresh.store;
  });
  after(async () => {
    await fresh?.dispose();
  });

  /** A flow with trigger `t`, and a host that records what it is asked to start. */
  async function setup(c: Pick<Case, 'name' | 'trigger' | 'failAt'>) {
    const { flow } = await store.createFlow({
      name: c.name.replace(/\W+/g, '-').slice(0, 60),
      definition: {
        triggers: { t: { type: 'Request', kind: 'Http', ...c.trigger } },
        actions: { Compose: { type: 'Compose', inputs: 1 } },
      },
    });
    const started: StartRunRequest[] = [];
    const host = {
      workflows: new WorkflowCache(store),
      startRun: async (r: StartRunRequest) => {
        if (c.failAt && c.failAt[0] === started.length) throw c.failAt[1];
        started.push(r);
        return { runId: `run-${started.length}` };
      },
    };
    return { flow, started, deps: { store, host, now: () => NOW } };
  }

  for (const c of cases) {
    it(c.name, async () => {
      const { flow, started, deps } = await setup(c);
      const outcome = await fireTrigger(deps, { flow, triggerName: 't', outputs: request, ...c.firing });
      assert.deepEqual(outcome, c.outcome);
      assert.deepEqual(
        started.map((r) => {
          assert.equal(r.flow.id, flow.id);
          assert.equal(r.version, flow.currentVersion);
          assert.equal(r.triggerName, 't');
          return {
            outputs: r.outputs,
            ...(r.scheduledTime !== undefined ? { scheduledTime: r.scheduledTime } : {}),
            ...(r.clientTrackingId ? { clientTrackingId: r.clientTrackingId } : {}),
          };
        }),
        c.started,
      );
      const history = await store.listTriggerHistory(flow.id, c.firing?.triggerName ?? 't');
      assert.deepEqual(
        history.map((h) => [h.at, h.status, h.code ?? null]),
        c.history,
      );
    });
  }

  it('an error other than a refusal is thrown, and nothing is recorded', async () => {
    const { flow, deps } = await setup({
      name: 'stopping',
      trigger: {},
      failAt: [0, new HostError('Stopping', 'bye')],
    });
    await assert.rejects(
      fireTrigger(deps, { flow, triggerName: 't', outputs: request }),
      (e: unknown) => e instanceof HostError && e.code === 'Stopping',
    );
    assert.deepEqual(await store.listTriggerHistory(flow.id, 't'), []);
  });
});
