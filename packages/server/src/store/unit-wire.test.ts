// A prepared unit survives its crossing to the writer thread (unit-wire.ts): every field, through
// a real structured clone, with blobs' payloads carried once, in the unit's payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, resultFromWire, resultToWire, toWire } from './unit-wire.js';
import { prepareUnit } from './step-batch.js';
import type { PreparedUnit } from './step-batch.js';

const payload = { id: 'p1', runId: 'r1', data: '{"big":true}', size: 12 };

/** A unit with every list filled and every field set (none left at a default). */
const full: PreparedUnit = {
  runId: 'r1',
  expectSeq: 7,
  create: {
    id: 'r1',
    flowId: 'f1',
    flowVersion: 3,
    triggerName: 'manual',
    status: 'Running',
    startTime: 1_700_000_000_000,
    clientTrackingId: 'ct',
    init: { inline: '{"a":1}', ref: null, payload: null },
    records: { inline: { compress: '[["A"]]' }, ref: null, payload: null },
  },
  events: [
    { inline: '{"e":1}', ref: null, payload: null },
    { inline: null, ref: 'p1', payload },
  ],
  records: [
    {
      path: 'A',
      name: '',
      status: 'Succeeded',
      startTime: '#0mxca9462',
      endTime: '#',
      // A compressed value crosses as bytes (a Buffer arrives as a Uint8Array, as it always did).
      data: { inline: new Uint8Array([2, 1, 2]) as Buffer, ref: null, payload: null },
    },
    {
      path: 'B',
      name: 'B1',
      status: 'Running',
      startTime: null,
      endTime: null,
      data: { inline: null, ref: 'x', payload: null },
    },
  ],
  status: 'Waiting',
  runUpdate: [
    ['end_time', 5],
    ['error', '{"code":"X"}'],
    ['parked', 1],
  ],
  enqueue: [{ id: 'w1', runId: 'r1', kind: 'resume', payload: '{}', availableAt: 9 }],
  timers: [{ key: 't1', dueAt: 10 }],
  callbacks: [{ key: 'c1', path: 'Wait' }],
  cancelWaits: ['k1'],
  completeWork: ['w0'],
  payloads: [payload],
  background: true,
};

/** What the writer thread gets for `u`: toWire, a real structured clone (as postMessage makes), fromWire. */
const crossed = (u: PreparedUnit): PreparedUnit => fromWire(structuredClone(toWire(u)));

/** `u` with its blobs' payloads cleared: they cross in `payloads` only. */
function withoutBlobPayloads(u: PreparedUnit): PreparedUnit {
  const clear = <T extends { payload: unknown }>(b: T): T => ({ ...b, payload: null });
  return {
    ...u,
    create: u.create && {
      ...u.create,
      init: clear(u.create.init),
      records: u.create.records && clear(u.create.records),
    },
    events: u.events.map(clear),
    records: u.records.map((r) => ({ ...r, data: clear(r.data) })),
  };
}

test('every field of a unit crosses; a blob payload crosses once, in payloads', () => {
  const back = crossed(full);
  assert.deepStrictEqual(back, withoutBlobPayloads(full));
  assert.deepStrictEqual(back.payloads, [payload]);
});

test('empty lists cross as 0 and come back as empty lists', () => {
  const bare: PreparedUnit = {
    ...full,
    runId: null,
    expectSeq: null,
    create: null,
    events: [],
    records: [],
    status: null,
    runUpdate: [],
    enqueue: [],
    timers: [],
    callbacks: [],
    cancelWaits: [],
    completeWork: [],
    payloads: [],
  };
  const wire = toWire(bare);
  assert.deepStrictEqual(wire.slice(3), [0, 0, null, 0, 0, 0, 0, 0, 0, 0, true]);
  assert.deepStrictEqual(crossed(bare), bare);
});

test("the HTTP flow's unit (created and ended in one step, records packed) crosses unchanged", () => {
  const unit = prepareUnit(
    'r2',
    {
      flowId: 'f1',
      flowVersion: 1,
      triggerName: 'manual',
      init: { trigger: { outputs: { body: { n: 1 } } } },
    } as Parameters<typeof prepareUnit>[1],
    {
      records: [
        {
          name: 'Compose',
          path: 'Compose',
          status: 'Succeeded',
          inputs: 1,
          outputs: 1,
          startTime: '2026-01-01T00:00:00.1230000Z',
          endTime: '2026-01-01T00:00:00.1230000Z',
        },
      ],
      runUpdate: { status: 'Succeeded', endTime: 5, response: { statusCode: 200, body: { n: 2 } } },
    },
    5,
    64 * 1024,
    true,
  );
  assert.ok(unit.create?.records, 'the records are packed in the row');
  assert.deepStrictEqual(crossed(unit), unit);
});

test('a result crosses back as 0 when it holds nothing, else whole', () => {
  const empty = { seqs: [], workIds: [], completed: 0 };
  assert.equal(resultToWire(empty), 0);
  assert.deepStrictEqual(resultFromWire(structuredClone(resultToWire(empty))), empty);
  for (const r of [
    { seqs: [4, 5], workIds: [], completed: 0 },
    { seqs: [], workIds: ['w1'], completed: 0 },
    { seqs: [], workIds: [], completed: 2 },
  ]) {
    assert.deepStrictEqual(resultFromWire(structuredClone(resultToWire(r))), r);
  }
});
