// A reference for the HTTP benchmarks (bench/floor.bench.ts): the least a durable HTTP-triggered
// run costs in node on this machine, written by hand without a workflow engine. Per call it checks
// the URL's signature (HMAC-SHA256), parses the JSON body, computes what the benchmark flow's three
// actions compute, and keeps a record of the run (its request and each action's result, as JSON)
// before it answers. Calls that arrive together are written together (group commit), two batches
// out at once, as Flowbridge does. Where the record goes is the mode:
//   sqlite   one row per run in SQLite (WAL, synchronous=NORMAL, SQLite's own checkpoints), a
//            primary key and a (flow, start) index, written by a worker thread
//   journal  one line per run appended to a file with one write() per batch on the event loop:
//            what SQLite's WAL does for a commit, without the B-trees
// Both survive the process's crash once the call is answered (the bytes are in the OS), as
// Flowbridge's runs do; neither survives a power cut (no fsync per commit), as with
// synchronous=NORMAL. Plain JavaScript, as the echo.
// Usage: node bench/durable-floor.mjs <port> <sqlite|journal> <data file>; the key is FLOOR_KEY
// (hex) and a call is POST /flows/<id>/invoke?sig=<base64url HMAC-SHA256 of the id>.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { ftruncateSync, openSync, writeSync } from 'node:fs';
import http from 'node:http';
import { Worker } from 'node:worker_threads';

const port = Number(process.argv[2] ?? 0);
const mode = process.argv[3];
const file = process.argv[4];
if (mode !== 'sqlite' && mode !== 'journal') throw new Error(`mode must be sqlite or journal, not ${mode}`);
const key = Buffer.from(process.env.FLOOR_KEY ?? '', 'hex');
const IN_FLIGHT = 2;

/** Writes a batch of rows; calls done() once they are durable. */
const write = mode === 'sqlite' ? sqliteWriter() : journalWriter();

let rows = [];
let answers = [];
let scheduled = false;
let out = 0;

function flush() {
  scheduled = false;
  if (rows.length === 0 || out >= IN_FLIGHT) return;
  const batch = answers;
  out++;
  write(rows, () => {
    out--;
    for (const answer of batch) answer();
    flush();
  });
  rows = [];
  answers = [];
}

function sqliteWriter() {
  const worker = new Worker(new URL('./durable-floor-writer.mjs', import.meta.url), { workerData: { file } });
  worker.on('error', (error) => {
    console.error(error);
    process.exit(1);
  });
  const waiting = new Map();
  let next = 0;
  worker.on('message', (id) => {
    const done = waiting.get(id);
    waiting.delete(id);
    done();
  });
  return (batch, done) => {
    const id = next++;
    waiting.set(id, done);
    worker.postMessage({ id, rows: batch });
  };
}

/**
 * A journal's runs move on elsewhere once written: past JOURNAL_KEPT bytes the file starts over, so
 * that the OS does not write back hundreds of MB under the next case measured.
 */
const JOURNAL_KEPT = 64 * 1024 * 1024;

function journalWriter() {
  const fd = openSync(file, 'a');
  let size = 0;
  return (batch, done) => {
    size += writeSync(fd, batch.map((row) => JSON.stringify(row)).join('\n') + '\n');
    if (size > JOURNAL_KEPT) {
      ftruncateSync(fd, 0);
      size = 0;
    }
    setImmediate(done);
  };
}

const signature = (flow) => createHmac('sha256', key).update(flow).digest();
const INVOKE = /^\/flows\/([\w-]+)\/invoke\?sig=([\w-]+)$/;

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  const match = INVOKE.exec(req.url ?? '');
  const given = match ? Buffer.from(match[2], 'base64url') : undefined;
  const wanted = match ? signature(match[1]) : undefined;
  if (req.method !== 'POST' || !given || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":"unauthorized"}');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const start = new Date().toISOString();
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid JSON"}');
      return;
    }
    // The benchmark flow: Compose_input, Initialize_count, Compose_reply, Response.
    const input = body?.n;
    const count = input + 1;
    const reply = { n: count, name: body?.name };
    const end = new Date().toISOString();
    const steps = [
      { name: 'Compose_input', status: 'Succeeded', start, end, outputs: input },
      { name: 'Initialize_count', status: 'Succeeded', start, end, inputs: { name: 'count', value: count } },
      { name: 'Compose_reply', status: 'Succeeded', start, end, outputs: reply },
      { name: 'Response', status: 'Succeeded', start, end, outputs: { statusCode: 200, body: reply } },
    ];
    const request = JSON.stringify({ headers: req.headers, body });
    rows.push([randomUUID(), match[1], start, end, 'Succeeded', request, JSON.stringify(steps)]);
    const text = JSON.stringify(reply);
    answers.push(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
