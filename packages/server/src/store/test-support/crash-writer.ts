// Child process of crash.test.ts: 50 writers commit steps to 50 runs as fast as the store takes
// them and print each acknowledged step ("<run> <seq>") once its commitStep has resolved, until
// the parent kills the process. stdout is a pipe: on Linux its writes are synchronous.
import { openStore } from '../open.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-writer.ts <data-dir>');
const store = await openStore({ dataDir: dir, mergeThreshold: 600 });
const { flow } = await store.createFlow({ name: 'crash', definition: {} });
const runs = await Promise.all(
  Array.from({ length: 50 }, (_, k) =>
    store.createRun({ id: `run-${k}`, flowId: flow.id, flowVersion: 1, triggerName: 't', init: { k } }),
  ),
);
process.stdout.write('ready\n');
await Promise.all(
  runs.map(async (run, k) => {
    for (let i = 1; ; i++) {
      const { seqs } = await store.commitStep(run.id, {
        events: [{ k, i }],
        records: [{ name: 'A', path: `A[${i}]`, status: 'Succeeded', outputs: i }],
        runUpdate: { status: 'Running' },
      });
      process.stdout.write(`${k} ${seqs[0]}\n`);
    }
  }),
);
