// How run history is kept small (issue #18: history grows by at most 1 MiB per 1,000 runs of the
// HTTP flow). Three rules, all undone on read so that callers see the values they wrote:
//
// 1. An action record does not repeat what its row's columns hold or what can be derived: its
//    name, path, status and times (columns), its trackingId when it is `<runId>/<path>` (as the
//    engine makes it), `error: null`, and `outputs` when they are the same JSON as `inputs`
//    (Compose). The stored object says which keys it left out in COMPACT_KEY, so rows written
//    before this rule (or a record that is not an object) read as they are; a record that has a
//    COMPACT_KEY of its own is stored whole, wrapped.
// 2. An action record's times sit in their columns as '#' and the ms since the epoch in 9 base-36
//    digits when the engine's text ("2026-01-01T00:00:00.1230000Z") can be made again from them:
//    10 bytes instead of 28, and they sort among themselves as the times do. Any other text is
//    kept as it is ('#' doubled when it starts with one). An end time equal to the start time
//    is a lone '#', and a name equal to the path (a top-level action) is ''.
// 3. On SQLite, a JSON text of COMPRESS_FROM bytes or more is stored as a BLOB: a format byte
//    and the text compressed with a preset dictionary of what run history repeats (record keys, a
//    RunInit's keys, common HTTP headers), when that saves at least a fifth: Zstandard (format 2,
//    zstd-napi; its dictionary is digested once per thread, where zlib digests it again for every
//    value: a 650-byte value compresses in under half of deflate's time, about a seventh smaller,
//    and reads back in about a third of inflate's). Values written as deflate-raw (format 1,
//    before) still read.
//    Small values stay inline text (compressing them costs more CPU than it saves bytes).
//    PostgreSQL keeps `json` text (its TOAST compresses large values by itself). The records a
//    short run packs in its row (packed-records.ts), and a run's init under 1 KiB
//    (compact-init.ts), are compressed when their batch is written
//    (stored(), on the writer thread when one runs), not when the step is prepared: their
//    compression was most of such a run's preparation, and the event loop is what bounds the trigger calls a
//    process serves. Other values are compressed as they are prepared (deferring them all sent
//    their text, several times the bytes, to the writer thread: its heap, and the RSS of 10,000
//    waiting runs, grew by about 10 MiB).
import zlib from 'node:zlib';
import zstd from 'zstd-napi/binding.js';
import type { CCtx, CDict, DCtx, DDict } from 'zstd-napi/binding.js';

/** The key of a compact action record that lists, one letter each, the keys it left out. */
export const COMPACT_KEY = '$c';

/** COMPACT_KEY's value for a record that has a COMPACT_KEY of its own, stored whole under `record`. */
const WRAPPED = '!';

/** Dropped keys and their letters, in the order a restored record has them (the engine's order). */
const RECORD_KEYS = [
  ['name', 'n'],
  ['path', 'p'],
  ['type', ''],
  ['status', 's'],
  ['code', ''],
  ['error', 'x'],
  ['inputs', ''],
  ['outputs', 'o'],
  ['startTime', 'b'],
  ['endTime', 'e'],
  ['trackingId', 't'],
] as const;

/** What an action record's row holds besides the record (the columns step-batch.ts writes). */
export interface RecordColumns {
  runId: string;
  path: string;
  name: string;
  status: string;
  startTime: string | null;
  endTime: string | null;
}

/** What to store of an action record (rule 1): the record itself when it leaves nothing out. */
export function compactRecord(record: Record<string, unknown>, cols: RecordColumns): Record<string, unknown> {
  let dropped = '';
  const rest: Record<string, unknown> = {};
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue; // as Object.entries: own keys only
    const value = record[key];
    if (key === COMPACT_KEY) return { [COMPACT_KEY]: WRAPPED, record }; // would read as compact: wrapped whole
    let letter = '';
    if (key === 'name' && value === cols.name) letter = 'n';
    else if (key === 'path' && value === cols.path) letter = 'p';
    else if (key === 'status' && value === cols.status) letter = 's';
    else if (key === 'startTime' && value === cols.startTime) letter = 'b';
    else if (key === 'endTime' && value === cols.endTime) letter = 'e';
    else if (key === 'trackingId' && value === `${cols.runId}/${cols.path}`) letter = 't';
    else if (key === 'error' && value === null) letter = 'x';
    else if (key === 'outputs' && 'inputs' in record && sameJson(value, record.inputs)) letter = 'o';
    if (letter) dropped += letter;
    else rest[key] = value;
  }
  if (!dropped) return record;
  rest[COMPACT_KEY] = dropped;
  return rest;
}

/**
 * Whether two values have the same JSON text, compared without making it (key order counts, as
 * in the text). False when unsure (toJSON, a key whose value is undefined, NaN, nesting deeper than
 * JSON_DEPTH, so that a circular value fails where it is made into text, with its place named):
 * the outputs are then stored as they are, which reads back the same.
 */
/** Deeper than any value the engine writes (its own depth limit is lower). */
const JSON_DEPTH = 256;

function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return a !== undefined;
  if (depth > JSON_DEPTH) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || 'toJSON' in a || 'toJSON' in b) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i]) return false;
    const va = (a as Record<string, unknown>)[k];
    const vb = (b as Record<string, unknown>)[k];
    if (va === vb ? va === undefined || typeof va === 'function' : !sameJson(va, vb, depth + 1)) return false;
  }
  return true;
}

/** The record as it was written, from its stored (maybe compact) form and its row's columns. */
export function expandRecord(stored: unknown, cols: RecordColumns): unknown {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored;
  const rec = stored as Record<string, unknown>;
  const dropped = rec[COMPACT_KEY];
  if (typeof dropped !== 'string') return stored;
  if (dropped === WRAPPED) return rec.record;
  const restored: Record<string, unknown> = {
    name: cols.name,
    path: cols.path,
    status: cols.status,
    startTime: cols.startTime,
    endTime: cols.endTime,
    trackingId: `${cols.runId}/${cols.path}`,
    error: null,
    outputs: rec.inputs,
  };
  const out: Record<string, unknown> = {};
  for (const [key, letter] of RECORD_KEYS) {
    if (letter && dropped.includes(letter)) out[key] = restored[key];
    else if (key in rec) out[key] = rec[key];
  }
  for (const [key, value] of Object.entries(rec)) if (key !== COMPACT_KEY && !(key in out)) out[key] = value;
  return out;
}

// ---------------------------------------------------------------------------------------- rule 2

/** Marks a packed time in a time column; a text that starts with it is stored with one more. */
const TIME_MARK = '#';
/** Base-36 digits of a packed time: fixed width, so packed times sort as text in time order. */
const TIME_DIGITS = 9;

/** An engine time as an action record's time column keeps it (rule 2). */
function packTime(text: string | null): string | null {
  if (text === null) return null;
  // A run's records' times are mostly the same few milliseconds: the last one packed is kept.
  if (text === lastTime.text) return lastTime.packed;
  if (text.startsWith(TIME_MARK)) return TIME_MARK + text;
  if (text.length !== 28) return text;
  const ms = Date.parse(text);
  if (!Number.isInteger(ms) || ms < 0 || formatTime(ms) !== text) return text;
  const packed = TIME_MARK + ms.toString(36).padStart(TIME_DIGITS, '0');
  lastTime.text = text;
  lastTime.packed = packed;
  return packed;
}
const lastTime = { text: '', packed: '' };

/**
 * What an action record's row keeps in its name and time columns: its name as '' when it is its
 * path (top-level actions; a name is never empty), its end time as TIME_MARK alone when it is its
 * start time (packTime never makes that text).
 */
export function packRecordColumns(cols: RecordColumns): {
  name: string;
  startTime: string | null;
  endTime: string | null;
} {
  const startTime = packTime(cols.startTime);
  const endTime = packTime(cols.endTime);
  return {
    name: cols.name === cols.path ? '' : cols.name,
    startTime,
    endTime: endTime !== null && endTime === startTime ? TIME_MARK : endTime,
  };
}

/** A record row's columns as written (packRecordColumns undone). */
export function unpackRecordColumns(row: Record<string, unknown>): RecordColumns {
  const path = String(row.path);
  const name = String(row.name);
  const startTime = unpackTime(row.start_time);
  return {
    runId: String(row.run_id),
    path,
    name: name === '' ? path : name,
    status: String(row.status),
    startTime,
    endTime: row.end_time === TIME_MARK ? startTime : unpackTime(row.end_time),
  };
}

/** The time text a column holds (packTime undone). */
function unpackTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const text = String(v);
  if (!text.startsWith(TIME_MARK)) return text;
  if (text.startsWith(TIME_MARK, 1)) return text.slice(1);
  return formatTime(parseInt(text.slice(1), 36));
}

/** The engine's time text: ISO 8601 with seven fractional digits. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
}

// ---------------------------------------------------------------------------------------- rule 3

/** JSON texts shorter than this stay inline text. */
export const COMPRESS_FROM = 256;
/** The first byte of a compressed value: deflate-raw with DICTIONARY_V1 (written before session 11; still read). */
const FORMAT_DEFLATE_V1 = 1;
/** The first byte of a compressed value: a Zstandard frame with DICTIONARY_V1 as its raw-content dictionary. */
const FORMAT_ZSTD_V1 = 2;
/**
 * Zstandard's level for run history. On the HTTP flow's 650-byte packed records: level 6 makes
 * 164 bytes in 7.9 µs, level 3 (the default) 184 in 6.9, deflate-raw (format 1) 191 in 18.
 */
const ZSTD_LEVEL = 6;

/**
 * What run history repeats, most frequent last (a compressor reaches the end of a preset dictionary
 * most cheaply). Never edit: stored values need it to be read. Kept under 1 KiB, the window format
 * 1 compressed small values with.
 */
const DICTIONARY_V1 = Buffer.from(
  [
    '"Accept-Language":"*","Sec-Fetch-Mode":"cors","User-Agent":"node","Accept":"*/*",',
    '"Accept-Encoding":"gzip, deflate, br","Connection":"keep-alive","Content-Length":"',
    '"Content-Type":"application/json; charset=utf-8","Host":"localhost:',
    '"x-ms-workflow-run-id":"x-ms-client-tracking-id":"x-ms-trigger-history-name":"',
    '"retryHistory":[],"clientTrackingId":"repetitionIndexes":[{"scopeName":"itemIndex":',
    '"type":"Http","Compose","InitializeVariable","SetVariable","Response","Foreach","If","Scope",',
    '"Skipped","Failed","code":"NotSpecified","ActionFailed","ActionSkipped","message":"',
    '{"variables":[{"name":"type":"integer","string","object","array","value":',
    '"outputs":{"statusCode":200,"headers":{},"body":{"',
    '"now":"callbackBaseUrl":"http://127.0.0.1:/api/v1/callbacks/',
    '{"runId":"","workflow":{"id":"","name":"","version":"1"},',
    '"parameters":{},"trigger":{"name":"manual","outputs":{"headers":{"',
    '"startTime":"20","endTime":"20","trackingId":"',
    '"status":"Succeeded","code":"OK","inputs":{"',
  ].join(''),
);

/** This thread's Zstandard contexts and the dictionary digested for them, each side made on first use (about 0.3 MiB each). */
let compressing: { cctx: CCtx; cdict: CDict } | null = null;
let decompressing: { dctx: DCtx; ddict: DDict } | null = null;

/**
 * The value to store for a JSON text: the text, or (SQLite) a Buffer of its compressed form when
 * that pays. `compress` is false on PostgreSQL.
 */
export function packJson(text: string, compress: boolean): string | Buffer {
  if (!compress || text.length < COMPRESS_FROM) return text;
  const raw = Buffer.from(text);
  const { cctx, cdict } = (compressing ??= { cctx: new zstd.CCtx(), cdict: new zstd.CDict(DICTIONARY_V1, ZSTD_LEVEL) });
  const out = Buffer.allocUnsafe(zstd.compressBound(raw.length) + 1);
  const size = cctx.compressUsingCDict(out.subarray(1), raw, cdict);
  if (size + 1 > raw.length * 0.8) return text;
  out[0] = FORMAT_ZSTD_V1;
  return out.subarray(0, size + 1);
}

/**
 * A JSON text to store compressed: packJson runs when its row is written (stored()), so that the
 * thread that writes the batch compresses it, not the one that prepared it. A plain object: it
 * crosses to the writer thread as it is (postMessage).
 */
export interface DeferredPack {
  compress: string;
}

/** packJson's answer later: the text itself when it would stay text, else a DeferredPack. */
export function deferPack(text: string, compress: boolean): string | DeferredPack {
  return !compress || text.length < COMPRESS_FROM ? text : { compress: text };
}

/** A statement parameter as it is written: a DeferredPack compressed now, anything else as it is. */
export function stored<T>(value: T | DeferredPack): T | string | Buffer {
  return value !== null && typeof value === 'object' && 'compress' in value ? packJson(value.compress, true) : value;
}

/** The JSON text of a stored value (text as is; a Buffer written by packJson, decompressed). */
export function unpackJson(stored: string | Uint8Array): string {
  if (typeof stored === 'string') return stored;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const body = bytes.subarray(1);
  if (bytes[0] === FORMAT_ZSTD_V1) {
    const size = zstd.getFrameContentSize(body);
    if (size === null) throw new Error('a stored JSON value has no size in its Zstandard frame');
    const { dctx, ddict } = (decompressing ??= { dctx: new zstd.DCtx(), ddict: new zstd.DDict(DICTIONARY_V1) });
    const out = Buffer.allocUnsafe(size);
    const n = dctx.decompressUsingDDict(out, body, ddict);
    return out.toString('utf8', 0, n);
  }
  if (bytes[0] !== FORMAT_DEFLATE_V1) throw new Error(`unknown stored JSON format ${String(bytes[0])}`);
  return zlib.inflateRawSync(body, { dictionary: DICTIONARY_V1 }).toString('utf8');
}
