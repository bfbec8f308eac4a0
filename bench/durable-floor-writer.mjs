// The writer thread of bench/durable-floor.mjs's sqlite mode: each message is a batch of rows,
// inserted in one transaction; the answer is the batch's id, once it is committed.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, flow TEXT NOT NULL, start TEXT NOT NULL, end TEXT, status TEXT NOT NULL,
  request TEXT, steps TEXT)`);
db.exec('CREATE INDEX IF NOT EXISTS runs_flow_start ON runs (flow, start, id)');
const insert = db.prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)');
const insertAll = db.transaction((rows) => {
  for (const row of rows) insert.run(row);
});
parentPort.on('message', ({ id, rows }) => {
  insertAll(rows);
  parentPort.postMessage(id);
});
