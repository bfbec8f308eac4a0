// The store contract: tables of cases (test-support/contract/, one per aggregate, plus the one
// below), run against both backends. Every case gets a fresh database and removes it afterwards,
// also when it fails.
import { describe, test } from 'node:test';
import type { SqlStoreOptions } from './sql-store.js';
import { manualClock, postgresAvailable, postgresBackend, sqliteBackend } from './test-support/backends.js';
import type { Backend, Fresh } from './test-support/backends.js';
import { approvalCases } from './test-support/contract/approvals.js';
import { connectorCases } from './test-support/contract/connectors.js';
import { desktopCases } from './test-support/contract/desktop.js';
import { peopleFlowCases } from './test-support/contract/people-flows.js';
import { queueCases } from './test-support/contract/queue.js';
import { runHistoryCases } from './test-support/contract/run-history.js';
import { runPackedCases } from './test-support/contract/run-packed.js';
import { runReadCases } from './test-support/contract/run-reads.js';
import { runStepCases } from './test-support/contract/run-steps.js';
import { templateCases } from './test-support/contract/templates.js';
import { rejectsWith } from './test-support/contract/support.js';
import type { Case } from './test-support/contract/support.js';

const pgUp = await postgresAvailable();

async function withFresh(backend: Backend, options: SqlStoreOptions, fn: (f: Fresh) => Promise<void>): Promise<void> {
  const f = await backend.fresh(options);
  try {
    await fn(f);
  } finally {
    await f.dispose();
  }
}

const cases: Case[] = [
  ...peopleFlowCases,
  ...runStepCases,
  ...runReadCases,
  ...runHistoryCases,
  ...runPackedCases,
  ...queueCases,
  ...approvalCases,
  ...connectorCases,
  ...desktopCases,
  ...templateCases,
  [
    'a closed store refuses work with Closed',
    async ({ store }) => {
      await store.close();
      await rejectsWith(store.listRuns(), 'Closed');
      await rejectsWith(store.appendEvents('r', [{}]), 'Closed');
    },
  ],
];
for (const backend of [sqliteBackend, postgresBackend]) {
  const skip = backend.name === 'postgres' && !pgUp ? 'PostgreSQL test server not reachable' : false;
  describe(`store contract: ${backend.name}`, { skip }, () => {
    for (const [name, fn] of cases) {
      test(name, async () => {
        const clock = manualClock();
        await withFresh(backend, { now: clock.now }, (f) => fn(f, clock));
      });
    }
  });
}
