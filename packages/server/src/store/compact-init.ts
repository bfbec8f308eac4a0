// How a run's init (the engine's RunInit) is kept small (issue #18), like its action records
// (compact-json.ts, rule 1): it does not repeat what the runs row's columns hold. Its runId, its
// workflow's id and version, its trigger's name, start time and clientTrackingId, and `now` are
// the row's id, flow_id, flow_version, trigger_name, start_time and client_tracking_id; its
// callbackBaseUrl holds the runId once more. What a RunHost writes then fits in a few hundred
// bytes, compressed on SQLite when its row is written, not where it is prepared (INIT_COMPRESS_FROM
// says why).
//
// The stored object lists in COMPACT_KEY, one letter each, what it left out; an init is stored
// compact only when reading it back gives the very same JSON (key order included), so any
// other shape is stored as it is. Rows written before this rule hold the whole init and have no
// COMPACT_KEY: they read as they are. An init with a COMPACT_KEY of its own is stored whole, wrapped.
import { COMPACT_KEY, deferPack } from './compact-json.js';
import { textBlob, type Blob } from './json.js';

/** What a runs row holds besides its init. */
export interface InitColumns {
  runId: string;
  flowId: string;
  flowVersion: number;
  triggerName: string;
  /** ms since the epoch. */
  startTime: number;
  clientTrackingId: string | null;
}

/** COMPACT_KEY's value for an init that has a COMPACT_KEY of its own, stored whole under `init`. */
const WRAPPED = '!';
/** Where the runId was in a compact callbackBaseUrl (a URL holds no raw space). */
const RUN_ID_MARK = ' ';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An object JSON writes as its own keys and values (no toJSON, no class). */
const isPlain = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v);
/** A start time as the trigger's startTime text; the last one is kept (each is made twice on write). */
function isoOf(ms: number): string {
  if (ms !== lastIso.ms) {
    lastIso.text = new Date(ms).toISOString();
    lastIso.ms = ms;
  }
  return lastIso.text;
}
const lastIso = { ms: NaN, text: '' };

/**
 * What to store of a run's init: a compact form when it reads back as the same JSON text, else the
 * init itself. A left-out value equals, as a string or number, the one rebuilt from the columns;
 * so reading back gives the same JSON when the keys come back in the same order (checked here).
 */
export function compactInit(init: unknown, cols: InitColumns): unknown {
  if (!isPlain(init)) return init;
  if (COMPACT_KEY in init) return { [COMPACT_KEY]: WRAPPED, init };
  let dropped = '';
  const out: Obj = {};
  for (const key in init) {
    const value = init[key];
    if (key === 'runId' && value === cols.runId) dropped += 'r';
    else if (key === 'now' && value === cols.startTime) dropped += 'w';
    else if (key === 'workflow' && isPlain(value)) {
      const workflow: Obj = {};
      for (const k in value) {
        const v = value[k];
        if (k === 'id' && v === cols.flowId) dropped += 'i';
        else if (k === 'version' && v === String(cols.flowVersion)) dropped += 'v';
        else workflow[k] = v;
      }
      out[key] = workflow;
    } else if (key === 'trigger' && isPlain(value)) {
      const trigger: Obj = {};
      for (const k in value) {
        const v = value[k];
        if (k === 'name' && v === cols.triggerName) dropped += 'g';
        else if (k === 'startTime' && v === isoOf(cols.startTime)) dropped += 'b';
        else if (k === 'clientTrackingId' && v === cols.clientTrackingId) dropped += 'k';
        else trigger[k] = v;
      }
      out[key] = trigger;
    } else if (
      key === 'callbackBaseUrl' &&
      typeof value === 'string' &&
      cols.runId !== '' &&
      value.includes(cols.runId) &&
      !value.includes(RUN_ID_MARK)
    ) {
      dropped += 'u';
      out[key] = value.replace(cols.runId, RUN_ID_MARK);
    } else out[key] = value;
  }
  if (!dropped) return init;
  out[COMPACT_KEY] = dropped;
  // The restored order is the one a RunHost writes: anything else is stored as it is.
  const back = expandInit(out, cols) as Obj;
  return sameKeys(init, back) && sameKeys(init.workflow, back.workflow) && sameKeys(init.trigger, back.trigger)
    ? out
    : init;
}

/** Whether two values have the same keys in the same order (two non-objects: yes). */
function sameKeys(a: unknown, b: unknown): boolean {
  if (!isObj(a) || !isObj(b)) return !isObj(a) && !isObj(b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/**
 * The init as it was written, from its stored (maybe compact) form and its row's columns. Keys come
 * back in the order a RunHost writes them: runId first, `now` before callbackBaseUrl; the
 * workflow's id first and version last; the trigger's name first, its startTime and
 * clientTrackingId after its outputs.
 */
export function expandInit(stored: unknown, cols: InitColumns): unknown {
  if (!isObj(stored)) return stored;
  const dropped = stored[COMPACT_KEY];
  if (typeof dropped !== 'string') return stored;
  if (dropped === WRAPPED) return stored.init;
  const has = (letter: string): boolean => dropped.includes(letter);
  const out: Obj = {};
  if (has('r')) out.runId = cols.runId;
  let nowPending = has('w');
  const putNow = (): void => {
    if (nowPending) out.now = cols.startTime;
    nowPending = false;
  };
  for (const key in stored) {
    if (key === COMPACT_KEY) continue;
    const value = stored[key];
    if (key === 'callbackBaseUrl') putNow();
    if (key === 'workflow' && isObj(value)) out.workflow = expandWorkflow(value, has, cols);
    else if (key === 'trigger' && isObj(value)) out.trigger = expandTrigger(value, has, cols);
    else if (key === 'callbackBaseUrl' && has('u') && typeof value === 'string')
      out.callbackBaseUrl = value.replace(RUN_ID_MARK, () => cols.runId);
    else out[key] = value;
  }
  putNow();
  return out;
}

function expandWorkflow(stored: Obj, has: (letter: string) => boolean, cols: InitColumns): Obj {
  const out: Obj = {};
  if (has('i')) out.id = cols.flowId;
  Object.assign(out, stored);
  if (has('v')) out.version = String(cols.flowVersion);
  return out;
}

function expandTrigger(stored: Obj, has: (letter: string) => boolean, cols: InitColumns): Obj {
  const out: Obj = {};
  if (has('g')) out.name = cols.triggerName;
  let pending = true;
  const putTimes = (): void => {
    if (!pending) return;
    pending = false;
    if (has('b')) out.startTime = isoOf(cols.startTime);
    if (has('k')) out.clientTrackingId = cols.clientTrackingId;
  };
  for (const key in stored) {
    if (key !== 'outputs') putTimes();
    out[key] = stored[key];
  }
  putTimes();
  return out;
}

/**
 * A compact init shorter than this is not compressed as its step is prepared, on the event loop
 * (compact-json.ts, rule 3): it is compressed when its row is written (deferPack), on the writer
 * thread under load, like a short run's packed records. Compressing it where it is prepared cost
 * a Stateful HTTP call about a tenth of its CPU with deflate (~20 µs), and ~6 µs with Zstandard.
 * A longer one is compressed where it is prepared: its text would cross to the writer thread
 * several times the size of its compressed form.
 */
export const INIT_COMPRESS_FROM = 1024;

/** The stored value of a (compact) init's JSON text: see INIT_COMPRESS_FROM. */
export function initBlob(text: string, runId: string, threshold: number, compress: boolean): Blob {
  const blob = textBlob(text, runId, threshold, compress && text.length >= INIT_COMPRESS_FROM);
  if (compress && blob.inline === text) blob.inline = deferPack(text, true);
  return blob;
}
