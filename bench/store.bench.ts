// Persisted steps/s through the store: one event plus the run's status committed per step, which
// is what a stateful run writes per step (its action records are written when it goes idle or
// ends: see host/step-write.ts), embedded SQLite and PostgreSQL, with 1 and 50 concurrent writers
// (on PostgreSQL also 50 writers in two worker processes sharing the database).
// The reference is the same driver inserting raw rows on the same settings: one row per
// transaction for a single writer (nothing to batch), 1,000 rows per transaction for 50 writers
// (the ceiling group commit can approach). The logic is packages/server/src/store/bench-store.ts,
// which also runs on its own (with records per step unless --events-only). PostgreSQL:
// FLOWBRIDGE_TEST_PG_URL; skipped with a note when unreachable.
import { benchStore, type StoreBenchRow } from '../packages/server/src/store/bench-store.js';
import { compare, type BenchResult } from './types.js';

const SECONDS = 2;

export async function run(): Promise<BenchResult[]> {
  // A hung database must not hang the run.
  const limit = setTimeout(() => {
    console.error('store.bench: time limit reached, stopping');
    process.exit(2);
  }, 90_000);
  limit.unref();
  try {
    const rows = await benchStore({
      seconds: SECONDS,
      cases: [
        [1, 1],
        [50, 50],
      ],
      eventsOnly: true,
    });
    return [...results(rows, 'sqlite', 'embedded'), ...results(rows, 'postgres', 'PostgreSQL')];
  } finally {
    clearTimeout(limit);
  }
}

function results(rows: StoreBenchRow[], backend: StoreBenchRow['backend'], label: string): BenchResult[] {
  const mine = rows.filter((r) => r.backend === backend);
  const skipped = mine.find((r) => r.skipped);
  if (skipped) {
    return [
      { name: `${label}: skipped`, value: 0, unit: 'steps/s', better: 'higher', note: skipped.note ?? 'skipped' },
    ];
  }
  const raw = (perTransaction: number): StoreBenchRow | undefined =>
    mine.find((r) => r.raw?.perTransaction === perTransaction);
  const out: BenchResult[] = [];
  for (const r of mine) {
    if (!r.steps) continue;
    const ref = raw(r.steps.writers === 1 ? 1 : 1000);
    const processes = r.steps.processes ? `, ${r.steps.processes} processes` : '';
    const name = `${label} persisted steps/s, ${r.steps.writers} writer(s)${processes}`;
    const note = `avg batch ${r.steps.avgBatch.toFixed(1)}; ${Math.round(r.steps.perCpuSecond)} steps per CPU-second of the bench process`;
    out.push(
      ref
        ? {
            ...compare(name, r.perSecond, 'steps/s', ref.perSecond, `raw inserts, ${ref.raw?.perTransaction}/tx`),
            note,
          }
        : { name, value: r.perSecond, unit: 'steps/s', better: 'higher', note },
    );
  }
  return out;
}
