// A prepared unit as it crosses to the writer thread (writer-thread.ts): a tuple of its values,
// with 0 for an empty list, instead of the object. postMessage's structured clone costs per object
// and per key: the HTTP flow's unit as an object (a dozen objects and arrays, most of them empty,
// each key written out) took about 9.6 µs of the event loop to post under load, as a tuple 5-7 µs
// (in isolation 3.8 against 1.3 µs; the rest is reading freshly made strings from memory).
// unit-wire.test.ts pins the round trip.
//
// A blob's payload (large JSON kept in the payloads table) crosses once, in the unit's payloads:
// the writer never reads it from the blob (step-batch.ts, applyUnits), so a unit read back holds
// `payload: null` in its blobs.
import type { Blob } from './json.js';
import type { PreparedRecord, PreparedUnit, UnitResult } from './step-batch.js';

type WireBlob = [inline: Blob['inline'], ref: string | null];

type WireCreate = [
  id: string,
  flowId: string,
  flowVersion: number,
  triggerName: string,
  status: NonNullable<PreparedUnit['create']>['status'],
  startTime: number,
  clientTrackingId: string | null,
  init: Blob['inline'],
  initRef: string | null,
  records: WireBlob | 0,
];

type WireRecord = [
  path: string,
  name: string,
  status: string,
  startTime: string | null,
  endTime: string | null,
  data: Blob['inline'],
  dataRef: string | null,
];

/** A list, or 0 when it is empty (most of a unit's lists are). */
type Listed<T> = T[] | 0;

export type WireUnit = [
  runId: string | null,
  expectSeq: number | null,
  create: WireCreate | 0,
  events: Listed<WireBlob>,
  records: Listed<WireRecord>,
  status: string | null,
  runUpdate: Listed<PreparedUnit['runUpdate'][number]>,
  enqueue: Listed<PreparedUnit['enqueue'][number]>,
  timers: Listed<PreparedUnit['timers'][number]>,
  callbacks: Listed<PreparedUnit['callbacks'][number]>,
  cancelWaits: Listed<string>,
  completeWork: Listed<string>,
  payloads: Listed<PreparedUnit['payloads'][number]>,
  background: boolean,
];

const listed = <T>(list: T[]): Listed<T> => (list.length ? list : 0);
const unlisted = <T>(list: Listed<T>): T[] => (list === 0 ? [] : list);
const wireBlob = (b: Blob): WireBlob => [b.inline, b.ref];
const blobOf = (w: WireBlob): Blob => ({ inline: w[0], ref: w[1], payload: null });

export function toWire(u: PreparedUnit): WireUnit {
  const c = u.create;
  return [
    u.runId,
    u.expectSeq,
    c
      ? [
          c.id,
          c.flowId,
          c.flowVersion,
          c.triggerName,
          c.status,
          c.startTime,
          c.clientTrackingId,
          c.init.inline,
          c.init.ref,
          c.records ? wireBlob(c.records) : 0,
        ]
      : 0,
    u.events.length ? u.events.map(wireBlob) : 0,
    u.records.length
      ? u.records.map((r) => [r.path, r.name, r.status, r.startTime, r.endTime, r.data.inline, r.data.ref])
      : 0,
    u.status,
    listed(u.runUpdate),
    listed(u.enqueue),
    listed(u.timers),
    listed(u.callbacks),
    listed(u.cancelWaits),
    listed(u.completeWork),
    listed(u.payloads),
    u.background,
  ];
}

export function fromWire(w: WireUnit): PreparedUnit {
  const c = w[2];
  return {
    runId: w[0],
    expectSeq: w[1],
    create: c
      ? {
          id: c[0],
          flowId: c[1],
          flowVersion: c[2],
          triggerName: c[3],
          status: c[4],
          startTime: c[5],
          clientTrackingId: c[6],
          init: { inline: c[7], ref: c[8], payload: null },
          records: c[9] ? blobOf(c[9]) : null,
        }
      : null,
    events: unlisted(w[3]).map(blobOf),
    records: unlisted(w[4]).map((r): PreparedRecord => ({
      path: r[0],
      name: r[1],
      status: r[2],
      startTime: r[3],
      endTime: r[4],
      data: { inline: r[5], ref: r[6], payload: null },
    })),
    status: w[5],
    runUpdate: unlisted(w[6]),
    enqueue: unlisted(w[7]),
    timers: unlisted(w[8]),
    callbacks: unlisted(w[9]),
    cancelWaits: unlisted(w[10]),
    completeWork: unlisted(w[11]),
    payloads: unlisted(w[12]),
    background: w[13],
  };
}

/** A unit's result as it crosses back: 0 when it holds nothing (no seqs, work ids or completions: the HTTP flow's). */
export type WireResult = [seqs: number[], workIds: string[], completed: number] | 0;

export function resultToWire(r: UnitResult): WireResult {
  return r.seqs.length || r.workIds.length || r.completed ? [r.seqs, r.workIds, r.completed] : 0;
}

export function resultFromWire(w: WireResult): UnitResult {
  return w === 0 ? { seqs: [], workIds: [], completed: 0 } : { seqs: w[0], workIds: w[1], completed: w[2] };
}
