// Bench-only (bench/history.bench.ts): fills an embedded store with many finished runs fast. Each
// run's rows are made by the store's own row preparation (prepareUnit: the compact records and
// compressed JSON the writer stores) and inserted in bulk. A run created and ended in one write,
// as these are, keeps its action records packed in its own row (packed-records.ts); a variant
// whose records the writer would keep as rows gets them straight in the table clustered by run,
// where a run's history lives once its staged rows have moved (step-batch.ts, mergeRecent).
// To be fast, `variants` runs are prepared and reused: every run gets its own id, flow and start
// time, while its JSON is that of one of the variants.
import type { Json } from '../json.js';
import { stored } from '../compact-json.js';
import { sortableId } from '../ids.js';
import { insertMany } from '../rows.js';
import type { ActionRecordInput } from '../run-types.js';
import { SqliteDriver } from '../sqlite-driver.js';
import { prepareUnit } from '../step-batch.js';
import type { PreparedUnit } from '../step-batch.js';
import { DEFAULT_PAYLOAD_THRESHOLD } from '../json.js';

export interface FinishedRun {
  init: Json;
  records: ActionRecordInput[];
  response: Json;
  outputs: Json;
}

export interface BulkRunsOptions {
  /** A data directory whose store exists (openStore ran there) with these flows at version 1. */
  dataDir: string;
  flowIds: string[];
  runs: number;
  /** Start times spread evenly over [from, to). */
  from: number;
  to: number;
  /** A run's JSON from its id and start time. */
  run: (runId: string, startTime: number, k: number) => FinishedRun;
  variants?: number;
  /** Runs per transaction (default 5,000). */
  chunk?: number;
}

/** A prepared variant's values as the writer stores them (compressed once, not once per run). */
interface Variant {
  init: unknown;
  response: unknown;
  outputs: unknown;
  packed: unknown;
  /** An action_records row but its run id. */
  records: unknown[][];
}

function variantOf(u: PreparedUnit): Variant {
  const update = Object.fromEntries(u.runUpdate);
  return {
    init: stored(u.create?.init.inline),
    response: stored(update.response),
    outputs: stored(update.outputs),
    packed: stored(u.create?.records?.inline ?? null),
    records: u.records.map((r) => [r.path, r.name, r.status, stored(r.data.inline), null, r.startTime, r.endTime]),
  };
}

const RUN_COLUMNS =
  'id, flow_id, flow_version, environment_id, trigger_name, status, start_time, end_time, error, ' +
  'client_tracking_id, init, init_ref, response, response_ref, outputs, outputs_ref, last_seq, records';

/** Inserts the runs; resolves to a sample of 1,000 of their ids (evenly spread), for reads. */
export async function insertFinishedRuns(options: BulkRunsOptions): Promise<string[]> {
  const driver = new SqliteDriver({ dataDir: options.dataDir, backgroundCheckpoints: false });
  const variants: Variant[] = [];
  const count = options.variants ?? 1000;
  const span = options.to - options.from;
  for (let k = 0; k < Math.min(count, options.runs); k++) {
    const id = sortableId(options.from);
    const r = options.run(id, options.from, k);
    const unit = prepareUnit(
      id,
      { id, flowId: 'bulk', flowVersion: 1, triggerName: 'manual', init: r.init, startTime: options.from },
      { records: r.records, runUpdate: { status: 'Succeeded', endTime: 0, response: r.response, outputs: r.outputs } },
      options.from,
      DEFAULT_PAYLOAD_THRESHOLD,
      true,
    );
    if (unit.payloads.length) throw new Error('bulk-history: a variant has out-of-line payloads');
    variants.push(variantOf(unit));
  }
  const sample: string[] = [];
  const every = Math.max(1, Math.floor(options.runs / 1000));
  const chunk = options.chunk ?? 5000;
  try {
    for (let start = 0; start < options.runs; start += chunk) {
      const runRows: unknown[][] = [];
      const recordRows: unknown[][] = [];
      for (let k = start; k < Math.min(options.runs, start + chunk); k++) {
        const startTime = Math.floor(options.from + (span * k) / options.runs);
        const id = sortableId(startTime);
        if (k % every === 0 && sample.length < 1000) sample.push(id);
        const v = variants[k % variants.length] as Variant;
        runRows.push([
          id,
          options.flowIds[k % options.flowIds.length],
          1,
          'default',
          'manual',
          'Succeeded',
          startTime,
          startTime + 5,
          null,
          null,
          v.init,
          null,
          v.response,
          null,
          v.outputs,
          null,
          0,
          v.packed,
        ]);
        for (const r of v.records) recordRows.push([id, ...r]);
      }
      await driver.transaction(async (c) => {
        await insertMany(c, `INSERT INTO runs (${RUN_COLUMNS})`, 18, runRows);
        if (recordRows.length) {
          await insertMany(
            c,
            'INSERT INTO action_records (run_id, path, name, status, record, record_ref, start_time, end_time)',
            8,
            recordRows,
          );
        }
      });
    }
  } finally {
    await driver.close();
  }
  return sample;
}
