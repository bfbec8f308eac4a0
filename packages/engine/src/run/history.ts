// The run's action records: one per action and repetition, by path. It answers what expressions
// read of other actions (outputs('X'), result('Scope')), collects what changed for the next step
// and builds the records and the run result the host stores.
import type { Value } from '@flowbridge/expression';
import type { ActionNode, ContainerDef, Workflow } from '../definition/model.js';
import { toJsonShared } from '../expr.js';
import { SECURED_VALUE } from '../secured.js';
import { maskCredentials } from './credential-mask.js';
import type { ActionStatus } from '../statuses.js';
import type { ActionRecord, RetryAttempt, RunResultAction } from '../types.js';
import type { LoopCtx } from './context.js';
import type { Frame, Rec } from './host.js';

export class History {
  private readonly records = new Map<string, Rec>();
  /** The latest record of each action (lower-cased name), for reads from outside its loop. */
  private readonly latest = new Map<string, Rec>();
  /** Records changed since the last step, in the order of their first change (Rec.changed marks them). */
  private changed: Rec[] = [];
  /** Whether any record is a loop repetition (the run result then groups them by name). */
  private looped = false;

  constructor(
    private readonly workflow: Workflow,
    private readonly runId: string,
    private readonly clientTrackingId: string | undefined,
  ) {}

  /** A new record for an action starting (or skipped) in a frame. */
  add(node: ActionNode, frame: Frame, status: ActionStatus): Rec {
    const path = frame.prefix + node.name;
    const rec = newRec(node, path, status);
    if (frame.loop) {
      const idx: Array<{ scopeName: string; itemIndex: number }> = [];
      for (let l: LoopCtx | undefined = frame.loop; l; l = l.parent)
        idx.unshift({ scopeName: l.node.name, itemIndex: l.index });
      rec.repetitionIndexes = idx;
      this.looped = true;
    }
    this.records.set(path, rec);
    this.latest.set(node.lower, rec);
    this.markChanged(rec);
    return rec;
  }

  touch(rec: Rec): void {
    rec.view = undefined;
    this.markChanged(rec);
  }

  private markChanged(rec: Rec): void {
    if (rec.changed) return;
    rec.changed = true;
    this.changed.push(rec);
  }

  /** Adds one request attempt to the action's retry history. */
  addAttempt(rec: Rec, attempt: RetryAttempt): void {
    (rec.retryHistory ??= []).push(attempt);
    rec.view = undefined;
  }

  statusAt(path: string): ActionStatus | undefined {
    return this.records.get(path)?.status;
  }

  /** Records every action inside the node's containers Skipped with this code. */
  skipBodies(node: ActionNode, prefix: string, code: string): void {
    for (const body of node.bodies) this.skipContainer(body, prefix, code);
  }

  skipContainer(body: ContainerDef, prefix: string, code: string): void {
    for (const a of body.actions) {
      const path = prefix + a.name;
      const rec = newRec(a, path, 'Skipped');
      rec.code = code;
      rec.error = { code, message: `The action '${a.name}' was skipped: ${code}.` };
      this.records.set(path, rec);
      if (!this.latest.has(a.lower)) this.latest.set(a.lower, rec);
      this.markChanged(rec);
      this.skipBodies(a, prefix, code);
    }
  }

  // ---- what expressions read

  /** The path of an action's record as seen from inside `loop` (undefined when not in its loops). */
  private pathOf(node: ActionNode, loop: LoopCtx | undefined): string | undefined {
    if (node.loops.length === 0) return node.name;
    let prefix = '';
    for (const l of node.loops) {
      let idx: number | undefined;
      for (let c = loop; c; c = c.parent) if (c.node === l) idx = c.index;
      if (idx === undefined) return undefined;
      prefix += `${l.name}[${idx}]/`;
    }
    return prefix + node.name;
  }

  private find(name: string, loop: LoopCtx | undefined): Rec | undefined {
    const node = this.workflow.byDefinedName.get(name) ?? this.workflow.byName.get(name.toLowerCase());
    if (!node) return undefined;
    const path = this.pathOf(node, loop);
    return (path !== undefined ? this.records.get(path) : undefined) ?? this.latest.get(node.lower);
  }

  actionValue(name: string, loop: LoopCtx | undefined): Value | undefined {
    const rec = this.find(name, loop);
    return rec ? this.view(rec) : undefined;
  }

  /** The expression view of a record: actions('X'), currentAction(). */
  view(rec: Rec): Value {
    if (rec.view !== undefined) return rec.view;
    const v: Record<string, Value> = {
      name: rec.name,
      status: rec.status,
      trackingId: `${this.runId}/${rec.path}`,
    };
    if (rec.inputs !== undefined) v.inputs = rec.inputs;
    if (rec.outputs !== undefined) v.outputs = rec.outputs;
    if (rec.startTime !== undefined) v.startTime = rec.startTime;
    if (rec.endTime !== undefined) v.endTime = rec.endTime;
    if (rec.code !== undefined) v.code = rec.code;
    if (rec.error) v.error = { code: rec.error.code, message: rec.error.message };
    if (this.clientTrackingId !== undefined) v.clientTrackingId = this.clientTrackingId;
    if (rec.trackedProperties !== undefined) v.trackedProperties = rec.trackedProperties;
    if (rec.retryHistory) v.retryHistory = rec.retryHistory.map(attemptView);
    rec.view = v;
    return v;
  }

  /** result('X'): the records of the actions directly inside X (every iteration for loops). */
  resultValue(name: string, loop: LoopCtx | undefined): Value | undefined {
    const node = this.workflow.byName.get(name.toLowerCase());
    if (!node || node.bodies.length === 0) return undefined;
    const out: Value[] = [];
    if (node.type === 'Foreach' || node.type === 'Until') {
      const base = this.pathOf(node, loop);
      const rec = base !== undefined ? this.records.get(base) : this.latest.get(node.lower);
      const count = rec?.repetitionCount ?? 0;
      const prefix = rec ? rec.path.slice(0, rec.path.length - node.name.length) : '';
      for (let i = 0; i < count; i++) {
        for (const a of node.body?.actions ?? []) {
          const r = this.records.get(`${prefix}${node.name}[${i}]/${a.name}`);
          if (r) out.push(this.view(r));
        }
      }
      return out;
    }
    for (const body of node.bodies) {
      for (const a of body.actions) {
        const r = this.find(a.name, loop);
        if (r) out.push(this.view(r));
      }
    }
    return out;
  }

  // ---- what the host stores

  /** The records changed since the last call, as the host stores them. */
  takeChanged(): ActionRecord[] {
    const records: ActionRecord[] = [];
    for (const r of this.changed) {
      r.changed = false;
      records.push(this.emit(r));
    }
    this.changed = [];
    return records;
  }

  /** Every action by name: its last repetition, and all of them when it ran in a loop (DESIGN §4). */
  resultActions(): Record<string, RunResultAction> {
    const actions: Record<string, RunResultAction> = {};
    if (!this.looped) {
      // One record per name (a later one would replace an earlier, as with the groups below).
      for (const r of this.records.values()) actions[r.name] = this.entry(r);
      return actions;
    }
    const groups = new Map<string, Rec[]>();
    for (const r of this.records.values()) {
      const g = groups.get(r.name);
      if (g) g.push(r);
      else groups.set(r.name, [r]);
    }
    for (const [name, recs] of groups) {
      const looped = recs.some((r) => r.repetitionIndexes && r.repetitionIndexes.length > 0);
      if (looped) recs.sort(compareRepetitions);
      const entry = this.entry(recs[recs.length - 1] as Rec);
      if (looped) entry.repetitions = recs.map((r) => this.emit(r));
      actions[name] = entry;
    }
    return actions;
  }

  /** An action's entry in the run result: what its record holds, without the row's own keys. */
  private entry(r: Rec): RunResultAction {
    const entry: RunResultAction = { status: r.status, error: r.error ?? null };
    if (r.code !== undefined) entry.code = r.code;
    if (r.inputs !== undefined) entry.inputs = inputsJson(r, r.inputs);
    if (r.outputs !== undefined) entry.outputs = outputsJson(r, r.outputs);
    if (r.startTime !== undefined) entry.startTime = r.startTime;
    if (r.endTime !== undefined) entry.endTime = r.endTime;
    if (r.retryHistory) entry.retryHistory = r.retryHistory.map((h) => ({ ...h }));
    if (r.trackedProperties !== undefined) entry.trackedProperties = toJsonShared(r.trackedProperties);
    return entry;
  }

  private emit(r: Rec): ActionRecord {
    const out: ActionRecord = { name: r.name, path: r.path, type: r.node.type, status: r.status };
    if (r.code !== undefined) out.code = r.code;
    out.error = r.error ?? null;
    if (r.inputs !== undefined) out.inputs = inputsJson(r, r.inputs);
    if (r.outputs !== undefined) out.outputs = outputsJson(r, r.outputs);
    if (r.startTime !== undefined) out.startTime = r.startTime;
    if (r.endTime !== undefined) out.endTime = r.endTime;
    if (r.retryHistory) out.retryHistory = r.retryHistory.map((h) => ({ ...h }));
    if (r.trackedProperties !== undefined) out.trackedProperties = toJsonShared(r.trackedProperties);
    if (r.repetitionIndexes) out.repetitionIndexes = r.repetitionIndexes;
    if (r.repetitionCount !== undefined) out.repetitionCount = r.repetitionCount;
    out.trackingId = `${this.runId}/${r.path}`;
    return out;
  }
}

/**
 * A new record with every field present (undefined until set): all records then share one
 * shape, so the code that reads them stays monomorphic whatever the action type sets first.
 */
function newRec(node: ActionNode, path: string, status: ActionStatus): Rec {
  return {
    node,
    name: node.name,
    path,
    status,
    code: undefined,
    error: undefined,
    inputs: undefined,
    outputs: undefined,
    startTime: undefined,
    endTime: undefined,
    retryHistory: undefined,
    trackedProperties: undefined,
    repetitionIndexes: undefined,
    repetitionCount: undefined,
    view: undefined,
    changed: false,
    inputsJson: undefined,
    outputsJson: undefined,
  };
}

// Recorded values are shared, not copied: values never change in place, and a Compose's outputs
// are its inputs (one object, which the host's history compaction recognises at once). A record
// is emitted with each step it changes in and again for each run result: the JSON is made once.
function inputsJson(r: Rec, inputs: Value): unknown {
  if (r.node.secureInputs) return SECURED_VALUE;
  const m = r.inputsJson;
  if (m !== undefined && m.of === inputs) return m.recorded;
  const json = toJsonShared(inputs);
  const recorded = maskCredentials(r.node.type, json);
  r.inputsJson = { of: inputs, json, recorded };
  return recorded;
}
function outputsJson(r: Rec, outputs: Value): unknown {
  if (r.node.secureOutputs) return SECURED_VALUE;
  const m = r.outputsJson;
  if (m !== undefined && m.of === outputs) return m.json;
  const i = r.inputsJson;
  const json = i !== undefined && i.of === outputs ? i.json : toJsonShared(outputs);
  r.outputsJson = { of: outputs, json };
  return json;
}

/** One retry-history entry as expressions see it (same keys, same order as recorded). */
function attemptView(h: RetryAttempt): Value {
  const v: Record<string, Value> = {};
  if (h.startTime !== undefined) v.startTime = h.startTime;
  if (h.endTime !== undefined) v.endTime = h.endTime;
  v.idempotencyKey = h.idempotencyKey;
  if (h.code !== undefined) v.code = h.code;
  if (h.error !== undefined) v.error = { ...h.error };
  return v;
}

function compareRepetitions(a: Rec, b: Rec): number {
  const x = a.repetitionIndexes ?? [];
  const y = b.repetitionIndexes ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.itemIndex ?? 0) - (y[i]?.itemIndex ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
