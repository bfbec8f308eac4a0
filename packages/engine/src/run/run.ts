// The executor: a deterministic state machine over one run (spec §5–9). Events come in
// (effect results, timers, callbacks, cancel), commands go out; no I/O, no clock, no randomness
// of its own. Ready actions wait in a FIFO queue, so the same history always gives the same
// order of decisions, and each container keeps its own count of unmet predecessors so a step
// never rescans the definition.
import type { Value } from '@flowbridge/expression';
import type { ActionNode, ContainerDef, Workflow } from '../definition/model.js';
import { evaluationError, toJson } from '../expr.js';
import type { Compiled } from '../expr.js';
import { SECURED_VALUE } from '../secured.js';
import { STATIC_RESULT_STATUSES, statusNamed } from '../statuses.js';
import type { ActionStatus, HaltStatus, Outcome, RunStatus } from '../statuses.js';
import type {
  ActionRecord,
  Command,
  EffectResult,
  ErrorData,
  RunEvent,
  RunInit,
  RunResult,
  RunResultAction,
  Step,
} from '../types.js';
import { EvalContext } from './context.js';
import type { ContextHost, LoopCtx } from './context.js';
import { Rng } from './random.js';
import { addInterval, isoTime, parseDuration, readRetryPolicy, retryableStatus, retryDelay } from './timing.js';
import type { RetryPolicy } from './timing.js';
import { deriveStatus } from './status.js';
import { builtinAction } from './builtins.js';
import { deepEquals, isPlainObject, numeric, prop } from '../actions/values.js';
import type { Variable } from '../actions/variables.js';

/** Internal action record: values stay in the expression value model until emitted. */
export interface Rec {
  node: ActionNode;
  name: string;
  path: string;
  status: ActionStatus;
  code?: string;
  error?: ErrorData | null;
  inputs?: Value;
  outputs?: Value;
  startTime?: string;
  endTime?: string;
  retryHistory?: ActionRecord['retryHistory'];
  trackedProperties?: Value;
  repetitionIndexes?: Array<{ scopeName: string; itemIndex: number }>;
  repetitionCount?: number;
  /** Cached expression view of the record (invalidated on change). */
  view?: Value;
}

interface Frame {
  def: ContainerDef;
  prefix: string;
  loop: LoopCtx | undefined;
  unmet: Map<ActionNode, number>;
  remaining: number;
  onDone: (outcome: Outcome) => void;
}

/** An action that waits on the host (effects, timers, callbacks), so it can be settled or cancelled. */
export interface Waiting {
  rec: Rec;
  frame: Frame;
  keys: Set<string>;
  cancel?: () => void;
}

const FAILED_CONTAINER: ErrorData = {
  code: 'ActionFailed',
  message: 'An action failed. No dependent actions succeeded.',
};
const HTTP_CODES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'NoContent',
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};
const httpCode = (s: number): string => HTTP_CODES[s] ?? String(s);
/** Types whose requests follow the retry policy and the 202 + Location pattern (spec §6.13, §8.1). */
const RETRYING = new Set([
  'Http',
  'ApiConnection',
  'OpenApiConnection',
  'Workflow',
  'Function',
  'ServiceProvider',
  'ApiManagement',
  'InvokeFunction',
]);
const ASYNC = new Set(['Http', 'ApiConnection', 'OpenApiConnection', 'Function', 'ApiManagement']);
const DEFAULT_POLL_MS = 20000;

export class Run implements ContextHost {
  readonly workflow: Workflow;
  readonly init: RunInit;
  now: number;
  private readonly rng: Rng;
  readonly records = new Map<string, Rec>();
  private readonly latest = new Map<string, Rec>();
  private changed = new Set<Rec>();
  private commands: Command[] = [];
  private readonly pendingCmds = new Map<string, Command>();
  private readonly handlers = new Map<string, { w: Waiting; fn: (ev: RunEvent) => void }>();
  private readonly waiting = new Set<Waiting>();
  private queue: Array<() => void> = [];
  private qHead = 0;
  readonly vars = new Map<string, Variable>();
  private readonly params = new Map<string, Value>();
  private halted: { status: HaltStatus; error: ErrorData | null } | undefined;
  status: RunStatus = 'Running';
  private error: ErrorData | null = null;
  done = false;
  response: RunResult['response'] = null;
  private runOutputs: Record<string, unknown> = {};
  private readonly triggerRecord: Value;
  private workflowView: Value | undefined;

  private constructor(workflow: Workflow, init: RunInit) {
    this.workflow = workflow;
    this.init = init;
    this.now = init.now;
    this.rng = new Rng(init.runId);
    for (const [lower, p] of workflow.parameters) this.params.set(lower, p.value as Value);
    for (const [k, v] of Object.entries(init.parameters ?? {})) this.params.set(k.toLowerCase(), v as Value);
    const t = init.trigger;
    const rec: Record<string, Value> = {
      name: t.name,
      inputs: (t.inputs ?? null) as Value,
      outputs: (t.outputs ?? null) as Value,
      startTime: t.startTime,
      endTime: t.startTime,
      status: 'Succeeded',
      trackingId: init.runId,
      originHistoryName: init.runId,
    };
    if (t.clientTrackingId !== undefined) rec.clientTrackingId = t.clientTrackingId;
    if (t.scheduledTime !== undefined) rec.scheduledTime = t.scheduledTime;
    this.triggerRecord = rec;
  }

  // ---- public API

  static start(workflow: Workflow, init: RunInit): { run: Run; step: Step } {
    const run = new Run(workflow, init);
    run.startFrame(workflow.root, '', undefined, (s) => run.finishRun(s));
    run.drain();
    return { run, step: run.takeStep() };
  }

  deliver(event: RunEvent): Step {
    if (this.done) return this.takeStep();
    this.now = event.now;
    if (event.kind === 'cancel') this.halt('Cancelled', { code: 'Cancelled', message: 'The run was cancelled.' });
    else {
      const key = event.kind === 'effectResult' ? event.id : event.key;
      const h = this.handlers.get(key);
      if (h) {
        this.release(h.w, key);
        h.fn(event);
      }
    }
    this.drain();
    return this.takeStep();
  }

  pending(): Command[] {
    return [...this.pendingCmds.values()];
  }

  /** The run result JSON of DESIGN §4. */
  result(): RunResult {
    const actions: Record<string, RunResultAction> = {};
    const groups = new Map<string, Rec[]>();
    for (const r of this.records.values()) {
      const g = groups.get(r.name);
      if (g) g.push(r);
      else groups.set(r.name, [r]);
    }
    for (const [name, recs] of groups) {
      const looped = recs.some((r) => r.repetitionIndexes && r.repetitionIndexes.length > 0);
      if (looped) recs.sort(compareRepetitions);
      const last = recs[recs.length - 1] as Rec;
      const out = this.emit(last);
      const entry: RunResultAction = { status: out.status, error: out.error ?? null };
      if (out.code !== undefined) entry.code = out.code;
      if (out.inputs !== undefined) entry.inputs = out.inputs;
      if (out.outputs !== undefined) entry.outputs = out.outputs;
      if (out.startTime !== undefined) entry.startTime = out.startTime;
      if (out.endTime !== undefined) entry.endTime = out.endTime;
      if (out.retryHistory) entry.retryHistory = out.retryHistory;
      if (out.trackedProperties !== undefined) entry.trackedProperties = out.trackedProperties;
      if (looped) entry.repetitions = recs.map((r) => this.emit(r));
      actions[name] = entry;
    }
    return {
      status: this.status,
      error: this.error,
      trigger: {
        name: this.init.trigger.name,
        outputs: this.triggerSecured() ? SECURED_VALUE : this.init.trigger.outputs,
      },
      actions,
      response: this.response,
      outputs: this.runOutputs,
    };
  }

  private triggerSecured(): boolean {
    const lower = this.init.trigger.name.toLowerCase();
    return this.workflow.triggers.some((t) => t.secureOutputs && t.name.toLowerCase() === lower);
  }

  // ---- ContextHost (what expressions read)

  triggerValue(): Value {
    return this.triggerRecord;
  }

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

  private recFor(name: string, loop: LoopCtx | undefined): Rec | undefined {
    const node = this.workflow.byName.get(name.toLowerCase());
    if (!node) return undefined;
    const path = this.pathOf(node, loop);
    return (path !== undefined ? this.records.get(path) : undefined) ?? this.latest.get(node.lower);
  }

  actionValue(name: string, loop: LoopCtx | undefined): Value | undefined {
    const rec = this.recFor(name, loop);
    return rec ? this.view(rec) : undefined;
  }

  private view(rec: Rec): Value {
    if (rec.view !== undefined) return rec.view;
    const v: Record<string, Value> = {
      name: rec.name,
      status: rec.status,
      trackingId: `${this.init.runId}/${rec.path}`,
    };
    if (rec.inputs !== undefined) v.inputs = rec.inputs;
    if (rec.outputs !== undefined) v.outputs = rec.outputs;
    if (rec.startTime !== undefined) v.startTime = rec.startTime;
    if (rec.endTime !== undefined) v.endTime = rec.endTime;
    if (rec.code !== undefined) v.code = rec.code;
    if (rec.error) v.error = { code: rec.error.code, message: rec.error.message };
    if (this.init.trigger.clientTrackingId !== undefined) v.clientTrackingId = this.init.trigger.clientTrackingId;
    if (rec.trackedProperties !== undefined) v.trackedProperties = rec.trackedProperties;
    if (rec.retryHistory) v.retryHistory = rec.retryHistory as unknown as Value;
    rec.view = v;
    return v;
  }

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
        const r = this.recFor(a.name, loop);
        if (r) out.push(this.view(r));
      }
    }
    return out;
  }

  variableValue(name: string): Value | undefined {
    return this.vars.get(name.toLowerCase())?.value;
  }
  parameterValue(name: string): Value | undefined {
    const lower = name.toLowerCase();
    return this.params.has(lower) ? (this.params.get(lower) as Value) : undefined;
  }
  workflowValue(): Value {
    if (this.workflowView === undefined) {
      const w = this.init.workflow;
      const v: Record<string, Value> = {
        id: w.id,
        name: w.name,
        type: 'Microsoft.Logic/workflows',
        run: { id: `${w.id}/runs/${this.init.runId}`, name: this.init.runId, type: 'Microsoft.Logic/workflows/runs' },
      };
      if (w.version !== undefined) v.version = w.version;
      this.workflowView = v;
    }
    return this.workflowView;
  }
  nowMs(): number {
    return this.now;
  }
  guid(): string {
    return this.rng.guid();
  }
  random(): number {
    return this.rng.next();
  }

  // ---- evaluation helpers (used by built-in actions)

  ctx(frame: Frame, rec: Rec | undefined, dataItem?: { value: Value }, callbackUrl?: string): EvalContext {
    return new EvalContext(this, frame.loop, rec ? () => this.view(rec) : undefined, dataItem, callbackUrl);
  }

  /** Evaluates one compiled role; on failure the action fails with InvalidTemplate and undefined is returned. */
  eval(
    role: string,
    rec: Rec,
    frame: Frame,
    dataItem?: { value: Value },
    callbackUrl?: string,
  ): { value: Value } | undefined {
    const c = rec.node.compiled.get(role);
    if (!c) return { value: null };
    return this.evalCompiled(c, rec, frame, dataItem, callbackUrl);
  }

  evalCompiled(
    c: Compiled,
    rec: Rec,
    frame: Frame,
    dataItem?: { value: Value },
    callbackUrl?: string,
  ): { value: Value } | undefined {
    try {
      return { value: c.evaluate(this.ctx(frame, rec, dataItem, callbackUrl)) };
    } catch (e) {
      this.settleNow(rec, frame, 'Failed', { error: evaluationError(e) });
      return undefined;
    }
  }

  // ---- the scheduler

  private enqueue(fn: () => void): void {
    this.queue.push(fn);
  }

  private drain(): void {
    while (this.qHead < this.queue.length) {
      const fn = this.queue[this.qHead++] as () => void;
      fn();
      if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.qHead);
        this.qHead = 0;
      }
    }
    this.queue.length = 0;
    this.qHead = 0;
  }

  startFrame(def: ContainerDef, prefix: string, loop: LoopCtx | undefined, onDone: Frame['onDone']): void {
    if (def.actions.length === 0) {
      this.enqueue(() => onDone('Succeeded'));
      return;
    }
    const frame: Frame = { def, prefix, loop, unmet: new Map(), remaining: def.actions.length, onDone };
    for (const a of def.actions) if (a.runAfter.length > 0) frame.unmet.set(a, a.runAfter.length);
    for (const a of def.starts) this.enqueue(() => this.begin(a, frame));
  }

  /** Runs or skips an action whose predecessors are all terminal (spec §5.1). */
  private begin(node: ActionNode, frame: Frame): void {
    if (this.halted) {
      this.skip(node, frame, 'Terminated', 'The action did not run because the run was terminated or cancelled.');
      return;
    }
    for (const e of node.runAfter) {
      const st = this.records.get(frame.prefix + e.pred.name)?.status;
      if (st === undefined || !e.statuses.has(st)) {
        const list = node.runAfter.map((x) => `'${x.pred.name}' [${[...x.statuses].join(', ')}]`).join(', ');
        this.skip(
          node,
          frame,
          'ActionConditionFailed',
          `The execution of template action '${node.name}' is skipped: the 'runAfter' condition for action ${list} is not satisfied.`,
        );
        return;
      }
    }
    const rec = this.newRec(node, frame, 'Running');
    rec.startTime = isoTime(this.now);
    if (node.staticResult && node.kind !== 'container') {
      const sr = node.staticResult;
      const status = statusNamed(STATIC_RESULT_STATUSES, sr.status) ?? 'Succeeded';
      const ev = this.eval('inputs', rec, frame);
      if (!ev) return;
      rec.inputs = ev.value;
      const err =
        status === 'Failed'
          ? ((isPlainObject(sr.error)
              ? sr.error
              : { code: 'ActionFailed', message: 'Static result Failed.' }) as unknown as ErrorData)
          : undefined;
      const extra: { outputs?: Value; error?: ErrorData } = { outputs: (sr.outputs ?? null) as Value };
      if (err) extra.error = err;
      this.settleNow(rec, frame, status, extra);
      return;
    }
    switch (node.kind) {
      case 'container':
        this.beginContainer(rec, frame);
        return;
      case 'effect':
        this.beginEffect(rec, frame);
        return;
      case 'webhook':
        this.beginWebhook(rec, frame);
        return;
      case 'wait':
        this.beginWait(rec, frame);
        return;
      default:
        builtinAction(this, rec, frame);
    }
  }

  newRec(node: ActionNode, frame: Frame, status: ActionStatus): Rec {
    const path = frame.prefix + node.name;
    const rec: Rec = { node, name: node.name, path, status };
    if (frame.loop) {
      const idx: Array<{ scopeName: string; itemIndex: number }> = [];
      for (let l: LoopCtx | undefined = frame.loop; l; l = l.parent)
        idx.unshift({ scopeName: l.node.name, itemIndex: l.index });
      rec.repetitionIndexes = idx;
    }
    this.records.set(path, rec);
    this.latest.set(node.lower, rec);
    this.changed.add(rec);
    return rec;
  }

  touch(rec: Rec): void {
    rec.view = undefined;
    this.changed.add(rec);
  }

  /** Records an action Skipped (with everything inside it when it is a container) and moves on. */
  private skip(node: ActionNode, frame: Frame, code: string, message: string): void {
    const rec = this.newRec(node, frame, 'Skipped');
    rec.code = code;
    rec.error = { code, message };
    this.skipBodies(node, frame.prefix, code);
    this.completed(rec, frame);
  }

  skipBodies(node: ActionNode, prefix: string, code: string): void {
    for (const body of node.bodies) this.skipContainer(body, prefix, code);
  }

  skipContainer(body: ContainerDef, prefix: string, code: string): void {
    for (const a of body.actions) {
      const path = prefix + a.name;
      const rec: Rec = {
        node: a,
        name: a.name,
        path,
        status: 'Skipped',
        code,
        error: { code, message: `The action '${a.name}' was skipped: ${code}.` },
      };
      this.records.set(path, rec);
      if (!this.latest.has(a.lower)) this.latest.set(a.lower, rec);
      this.changed.add(rec);
      this.skipBodies(a, prefix, code);
    }
  }

  /** Finishes an action now: status, outputs, error; then notifies its successors. */
  settleNow(
    rec: Rec,
    frame: Frame,
    status: ActionStatus,
    extra: { outputs?: Value; error?: ErrorData | null; code?: string } = {},
  ): void {
    rec.status = status;
    if (extra.outputs !== undefined) rec.outputs = extra.outputs;
    if (extra.error !== undefined) rec.error = extra.error;
    rec.code = extra.code ?? (status === 'Succeeded' ? (rec.code ?? 'OK') : (rec.error?.code ?? rec.code ?? status));
    if (status === 'Failed' && !rec.error) rec.error = { code: rec.code, message: `The action '${rec.name}' failed.` };
    rec.endTime = isoTime(this.now);
    if (rec.node.compiled.has('trackedProperties') && status !== 'Skipped') {
      try {
        rec.trackedProperties = rec.node.compiled.get('trackedProperties')?.evaluate(this.ctx(frame, rec));
      } catch {
        // Tracked properties are diagnostics: a failing one must not change the action's outcome.
      }
    }
    this.touch(rec);
    this.completed(rec, frame);
  }

  private completed(rec: Rec, frame: Frame): void {
    for (const s of rec.node.successors) {
      const n = (frame.unmet.get(s) ?? 1) - 1;
      frame.unmet.set(s, n);
      if (n === 0) this.enqueue(() => this.begin(s, frame));
    }
    frame.remaining--;
    if (frame.remaining === 0) {
      const status = deriveStatus(frame.def, (n) => this.records.get(frame.prefix + n.name)?.status);
      frame.onDone(status);
    }
  }

  private finishRun(status: Outcome): void {
    if (this.halted) {
      this.status = this.halted.status;
      this.error = this.halted.error;
    } else {
      this.status = status;
      this.error = status === 'Failed' ? FAILED_CONTAINER : null;
    }
    const rootFrame: Frame = {
      def: this.workflow.root,
      prefix: '',
      loop: undefined,
      unmet: new Map(),
      remaining: 0,
      onDone: () => undefined,
    };
    for (const o of this.workflow.outputs) {
      try {
        const v = toJson(o.value.evaluate(this.ctx(rootFrame, undefined)));
        this.runOutputs[o.name] = o.secure ? SECURED_VALUE : v;
      } catch (e) {
        this.runOutputs[o.name] = { error: { code: 'OutputEvaluationFailed', message: evaluationError(e).message } };
      }
    }
    this.done = true;
    for (const w of [...this.waiting]) this.clearKeys(w);
  }

  /** Terminate / cancel: nothing new starts, everything waiting is cancelled (spec §6.11, §7.3). */
  halt(status: HaltStatus, error: ErrorData | null): void {
    if (this.halted) return;
    this.halted = { status, error };
    for (const w of [...this.waiting]) {
      w.cancel?.();
      this.clearKeys(w);
      this.settleNow(w.rec, w.frame, 'Cancelled', {
        error: { code: 'Cancelled', message: 'The action was cancelled because the run was terminated or cancelled.' },
      });
    }
  }

  get isHalted(): boolean {
    return this.halted !== undefined;
  }

  // ---- waiting on the host

  private wait(rec: Rec, frame: Frame): Waiting {
    const w: Waiting = { rec, frame, keys: new Set() };
    this.waiting.add(w);
    return w;
  }

  private release(w: Waiting, key: string): void {
    w.keys.delete(key);
    this.handlers.delete(key);
    this.pendingCmds.delete(key);
  }

  /** Drops every outstanding key of a waiting action, cancelling timers and callbacks at the host. */
  private clearKeys(w: Waiting): void {
    for (const key of w.keys) {
      const cmd = this.pendingCmds.get(key);
      if (cmd && (cmd.kind === 'timer' || cmd.kind === 'awaitCallback'))
        this.commands.push({ kind: 'cancelWait', key });
      this.handlers.delete(key);
      this.pendingCmds.delete(key);
    }
    w.keys.clear();
    this.waiting.delete(w);
  }

  private settleWaiting(
    w: Waiting,
    status: ActionStatus,
    extra: { outputs?: Value; error?: ErrorData | null; code?: string } = {},
  ): void {
    this.clearKeys(w);
    this.settleNow(w.rec, w.frame, status, extra);
  }

  private issue(w: Waiting, cmd: Command, key: string, fn: (ev: RunEvent) => void): void {
    this.commands.push(cmd);
    this.pendingCmds.set(key, cmd);
    this.handlers.set(key, { w, fn });
    w.keys.add(key);
  }

  private timer(w: Waiting, key: string, dueAt: number, fn: () => void): void {
    this.issue(w, { kind: 'timer', key, dueAt }, key, fn);
  }

  // ---- Wait (spec §6.15)

  private beginWait(rec: Rec, frame: Frame): void {
    const ev = this.eval('inputs', rec, frame);
    if (!ev) return;
    rec.inputs = ev.value;
    const interval = prop(ev.value, 'interval');
    const until = prop(ev.value, 'until');
    let dueAt: number | undefined;
    if (interval !== undefined && until === undefined) {
      const count =
        numeric(prop(interval, 'count') ?? null) ??
        (typeof prop(interval, 'count') === 'string' ? Number(prop(interval, 'count')) : undefined);
      const unit = prop(interval, 'unit');
      if (count !== undefined && Number.isFinite(Number(count)) && typeof unit === 'string')
        dueAt = addInterval(this.now, Number(count), unit);
    } else if (until !== undefined && interval === undefined) {
      const ts = prop(until, 'timestamp');
      if (typeof ts === 'string') {
        const t = Date.parse(ts);
        if (!Number.isNaN(t)) dueAt = t;
      }
    }
    if (dueAt === undefined) {
      this.settleNow(rec, frame, 'Failed', {
        error: {
          code: 'InvalidInput',
          message: 'Wait needs either interval {count, unit} or until {timestamp} with valid values.',
        },
      });
      return;
    }
    if (dueAt <= this.now) {
      this.settleNow(rec, frame, 'Succeeded', { code: 'OK' });
      return;
    }
    const w = this.wait(rec, frame);
    rec.status = 'Waiting';
    this.touch(rec);
    this.timer(w, `${this.init.runId}:${rec.path}#wait`, dueAt, () =>
      this.settleWaiting(w, 'Succeeded', { code: 'OK' }),
    );
  }

  // ---- effects: Http, connectors, child workflows, inline code (spec §6.13, §6.16, §6.22, §8)

  private timeoutMs(rec: Rec, frame: Frame): { ms?: number } | undefined {
    if (!rec.node.compiled.has('limit')) return {};
    const ev = this.eval('limit', rec, frame);
    if (!ev) return undefined;
    const t = prop(ev.value, 'timeout');
    if (t === undefined || t === null) return {};
    const ms = typeof t === 'string' ? parseDuration(t) : undefined;
    if (ms === undefined) {
      this.settleNow(rec, frame, 'Failed', {
        error: { code: 'InvalidInput', message: `limit.timeout '${String(t)}' is not an ISO 8601 duration.` },
      });
      return undefined;
    }
    return { ms };
  }

  private beginEffect(rec: Rec, frame: Frame): void {
    const ev = this.eval('inputs', rec, frame);
    if (!ev) return;
    const node = rec.node;
    const policy = RETRYING.has(node.type)
      ? readRetryPolicy(toJson(prop(ev.value, 'retryPolicy') ?? null))
      : readRetryPolicy({ type: 'none' });
    const inputs = stripRetry(toJson(ev.value));
    rec.inputs = inputs as Value;
    if (typeof policy === 'string') {
      this.settleNow(rec, frame, 'Failed', { error: { code: 'InvalidInput', message: policy } });
      return;
    }
    const limit = this.timeoutMs(rec, frame);
    if (!limit) return;
    const w = this.wait(rec, frame);
    const st: EffectState = { w, policy, inputs, attempt: 0, polls: 0, history: [] };
    if (limit.ms !== undefined) {
      st.timeoutAt = this.now + limit.ms;
      this.timer(w, `${this.init.runId}:${rec.path}#timeout`, st.timeoutAt, () => this.timedOut(st));
    }
    this.attempt(st);
  }

  private attempt(st: EffectState): void {
    st.attempt++;
    const rec = st.w.rec;
    const id = `${rec.path}#${st.attempt}`;
    const cmd: Command = {
      kind: 'effect',
      id,
      path: rec.path,
      actionName: rec.name,
      actionType: rec.node.type,
      inputs: st.inputs,
      attempt: st.attempt,
      idempotencyKey: `${this.init.runId}/${rec.path}/${st.attempt}`,
    };
    if (st.operation) cmd.operation = st.operation;
    if (st.timeoutAt !== undefined) cmd.timeoutAt = st.timeoutAt;
    st.startedAt = this.now;
    this.issue(st.w, cmd, id, (e) =>
      this.onEffect(st, e as Extract<RunEvent, { kind: 'effectResult' }>, cmd.idempotencyKey),
    );
  }

  private onEffect(st: EffectState, ev: Extract<RunEvent, { kind: 'effectResult' }>, key: string): void {
    const r: EffectResult = ev.result;
    const rec = st.w.rec;
    const outputs = (r.outputs === undefined ? undefined : r.outputs) as Value | undefined;
    const statusCode = numeric(prop(outputs, 'statusCode') ?? null);
    const sc = statusCode === undefined ? undefined : Number(statusCode);
    const entry: NonNullable<ActionRecord['retryHistory']>[number] = {
      startTime: r.startTime ?? isoTime(st.startedAt ?? this.now),
      endTime: r.endTime ?? isoTime(this.now),
      idempotencyKey: key,
    };
    if (sc !== undefined) entry.code = httpCode(sc);
    else if (r.error) entry.code = r.error.code;
    if (r.error) entry.error = r.error;
    st.history.push(entry);
    rec.retryHistory = st.history;
    this.touch(rec);
    // The async pattern: 202 + Location means "poll there until it is done" (spec §6.13).
    if (
      r.status === 'Succeeded' &&
      sc === 202 &&
      ASYNC.has(rec.node.type) &&
      !rec.node.options.has('disableasyncpattern')
    ) {
      const location = header(outputs, 'location');
      if (typeof location === 'string' && location !== '') {
        const after = retryAfterMs(outputs) ?? r.retryAfterMs ?? DEFAULT_POLL_MS;
        st.polls++;
        const n = st.polls;
        this.timer(st.w, `${this.init.runId}:${rec.path}#pollwait${n}`, this.now + after, () => {
          const pollInputs: Record<string, unknown> = { method: 'GET', uri: location };
          const auth = prop(st.inputs as Value, 'authentication');
          if (auth !== undefined) pollInputs.authentication = auth;
          const saved = st.inputs;
          st.inputs = pollInputs;
          st.operation = 'poll';
          st.attempt--; // a poll is not a new attempt of the request; keep the attempt number
          this.attemptPoll(st, n, saved);
        });
        return;
      }
    }
    if (r.status === 'Succeeded' && (sc === undefined || (sc >= 200 && sc < 300))) {
      this.settleWaiting(st.w, 'Succeeded', { outputs: outputs ?? null, code: sc !== undefined ? httpCode(sc) : 'OK' });
      return;
    }
    if (r.status === 'TimedOut') {
      this.settleWaiting(st.w, 'TimedOut', {
        outputs,
        error: r.error ?? { code: 'ActionTimedOut', message: `The action '${rec.name}' timed out.` },
      });
      return;
    }
    const retryable = r.retryable ?? (sc !== undefined ? retryableStatus(sc) : false);
    if (retryable && st.attempt <= st.policy.count && st.policy.type !== 'none') {
      const delay = Math.max(
        retryDelay(st.policy, st.attempt, this.rng.next()),
        retryAfterMs(outputs) ?? r.retryAfterMs ?? 0,
      );
      this.timer(st.w, `${this.init.runId}:${rec.path}#retry${st.attempt}`, this.now + delay, () => this.attempt(st));
      return;
    }
    const error = r.error ?? {
      code: sc !== undefined ? httpCode(sc) : 'ActionFailed',
      message: sc !== undefined ? `The request failed with status code ${sc}.` : `The action '${rec.name}' failed.`,
    };
    this.settleWaiting(st.w, 'Failed', { outputs, error, code: error.code });
  }

  private attemptPoll(st: EffectState, n: number, original: unknown): void {
    st.attempt++;
    const rec = st.w.rec;
    const id = `${rec.path}#${st.attempt}#poll${n}`;
    const cmd: Command = {
      kind: 'effect',
      id,
      path: rec.path,
      actionName: rec.name,
      actionType: rec.node.type,
      operation: 'poll',
      inputs: st.inputs,
      attempt: st.attempt,
      idempotencyKey: `${this.init.runId}/${rec.path}/${st.attempt}/poll${n}`,
    };
    if (st.timeoutAt !== undefined) cmd.timeoutAt = st.timeoutAt;
    // Later retries of a failed poll repeat the poll; a fresh attempt of the request is never made.
    void original;
    this.issue(st.w, cmd, id, (e) =>
      this.onEffect(st, e as Extract<RunEvent, { kind: 'effectResult' }>, cmd.idempotencyKey),
    );
  }

  private timedOut(st: EffectState): void {
    const rec = st.w.rec;
    if (st.unsubscribe !== undefined) this.fireAndForget(rec, 'unsubscribe', st.unsubscribe);
    this.settleWaiting(st.w, 'TimedOut', {
      error: { code: 'ActionTimedOut', message: `The action '${rec.name}' did not complete within its limit.timeout.` },
    });
  }

  private fireAndForget(rec: Rec, operation: 'unsubscribe', inputs: unknown): void {
    this.commands.push({
      kind: 'effect',
      id: `${rec.path}#${operation}`,
      path: rec.path,
      actionName: rec.name,
      actionType: rec.node.type,
      operation,
      inputs,
      attempt: 1,
      idempotencyKey: `${this.init.runId}/${rec.path}/${operation}`,
    });
  }

  // ---- webhooks: subscribe → wait for the callback → unsubscribe (spec §6.14)

  private beginWebhook(rec: Rec, frame: Frame): void {
    const key = `${this.init.runId}:${rec.path}`;
    const base = this.init.callbackBaseUrl;
    const callbackUrl = base !== undefined ? `${base.replace(/\/$/, '')}/${encodeURIComponent(key)}` : undefined;
    const ev = this.eval('inputs', rec, frame, undefined, callbackUrl);
    if (!ev) return;
    const all = toJson(ev.value);
    rec.inputs = all as Value;
    const isHttp = rec.node.type === 'HttpWebhook';
    const subscribe = isHttp ? prop(all as Value, 'subscribe') : all;
    const unsubscribe = isHttp ? prop(all as Value, 'unsubscribe') : all;
    if (isHttp && !isPlainObject(subscribe)) {
      this.settleNow(rec, frame, 'Failed', {
        error: { code: 'InvalidInput', message: 'HttpWebhook needs inputs.subscribe.' },
      });
      return;
    }
    const policy = readRetryPolicy(prop(subscribe as Value, 'retryPolicy') ?? null);
    if (typeof policy === 'string') {
      this.settleNow(rec, frame, 'Failed', { error: { code: 'InvalidInput', message: policy } });
      return;
    }
    const limit = this.timeoutMs(rec, frame);
    if (!limit) return;
    const w = this.wait(rec, frame);
    const st: EffectState = {
      w,
      policy,
      inputs: stripRetry(subscribe),
      attempt: 0,
      polls: 0,
      history: [],
      operation: 'subscribe',
    };
    if (unsubscribe !== undefined && unsubscribe !== null) st.unsubscribe = unsubscribe;
    if (limit.ms !== undefined) {
      st.timeoutAt = this.now + limit.ms;
      this.timer(w, `${key}#timeout`, st.timeoutAt, () => this.timedOut(st));
    }
    // After a successful subscribe the action waits for the callback instead of finishing.
    st.onSubscribed = () => {
      rec.status = 'Waiting';
      this.touch(rec);
      const cmd: Command = { kind: 'awaitCallback', key, path: rec.path };
      if (callbackUrl !== undefined) cmd.callbackUrl = callbackUrl;
      this.issue(w, cmd, key, (e) => {
        const payload = (e as Extract<RunEvent, { kind: 'callback' }>).payload as Value;
        const outputs =
          isPlainObject(payload) && ('body' in payload || 'headers' in payload) ? payload : { body: payload ?? null };
        if (st.unsubscribe !== undefined) this.fireAndForget(rec, 'unsubscribe', st.unsubscribe);
        // A callback carrying a non-2xx statusCode fails the action (spec §6.24), e.g. a cancelled approval.
        const sc = numeric(prop(outputs as Value, 'statusCode') ?? null);
        if (sc !== undefined && (Number(sc) < 200 || Number(sc) >= 300)) {
          const body = prop(outputs as Value, 'body');
          const bodyError = isPlainObject(body ?? null) ? prop(body as Value, 'error') : undefined;
          const error =
            isPlainObject(bodyError ?? null) && typeof prop(bodyError as Value, 'code') === 'string'
              ? {
                  code: String(prop(bodyError as Value, 'code')),
                  message: String(prop(bodyError as Value, 'message') ?? ''),
                }
              : { code: httpCode(Number(sc)), message: `The callback reported status code ${sc}.` };
          this.settleWaiting(w, 'Failed', { outputs, error, code: error.code });
          return;
        }
        this.settleWaiting(w, 'Succeeded', { outputs, code: 'OK' });
      });
    };
    this.attemptSubscribe(st);
  }

  private attemptSubscribe(st: EffectState): void {
    st.attempt++;
    const rec = st.w.rec;
    const id = `${rec.path}#subscribe${st.attempt}`;
    const cmd: Command = {
      kind: 'effect',
      id,
      path: rec.path,
      actionName: rec.name,
      actionType: rec.node.type,
      operation: 'subscribe',
      inputs: st.inputs,
      attempt: st.attempt,
      idempotencyKey: `${this.init.runId}/${rec.path}/${st.attempt}`,
    };
    if (st.timeoutAt !== undefined) cmd.timeoutAt = st.timeoutAt;
    st.startedAt = this.now;
    this.issue(st.w, cmd, id, (e) => {
      const r = (e as Extract<RunEvent, { kind: 'effectResult' }>).result;
      const sc = numeric(prop((r.outputs ?? null) as Value, 'statusCode') ?? null);
      const entry: NonNullable<ActionRecord['retryHistory']>[number] = {
        startTime: r.startTime ?? isoTime(st.startedAt ?? this.now),
        endTime: r.endTime ?? isoTime(this.now),
        idempotencyKey: cmd.idempotencyKey,
      };
      if (sc !== undefined) entry.code = httpCode(Number(sc));
      if (r.error) entry.error = r.error;
      st.history.push(entry);
      rec.retryHistory = st.history;
      if (r.status === 'Succeeded' && (sc === undefined || (Number(sc) >= 200 && Number(sc) < 300))) {
        st.onSubscribed?.();
        return;
      }
      const retryable = r.retryable ?? (sc !== undefined ? retryableStatus(Number(sc)) : false);
      if (r.status !== 'TimedOut' && retryable && st.attempt <= st.policy.count && st.policy.type !== 'none') {
        const delay = Math.max(retryDelay(st.policy, st.attempt, this.rng.next()), r.retryAfterMs ?? 0);
        this.timer(st.w, `${this.init.runId}:${rec.path}#retry${st.attempt}`, this.now + delay, () =>
          this.attemptSubscribe(st),
        );
        return;
      }
      const status = r.status === 'TimedOut' ? 'TimedOut' : 'Failed';
      const error = r.error ?? {
        code: sc !== undefined ? httpCode(Number(sc)) : 'ActionFailed',
        message: 'The subscribe request failed.',
      };
      this.settleWaiting(st.w, status, {
        outputs: (r.outputs ?? undefined) as Value | undefined,
        error,
        code: error.code,
      });
    });
  }

  // ---- containers (spec §6.6–6.10)

  private beginContainer(rec: Rec, frame: Frame): void {
    const node = rec.node;
    const childPrefix = frame.prefix;
    const finish = (status: Outcome, extra: { outputs?: Value } = {}): void => {
      this.settleNow(
        rec,
        frame,
        status,
        status === 'Failed'
          ? { ...extra, error: FAILED_CONTAINER, code: 'ActionFailed' }
          : { ...extra, code: 'NotSpecified' },
      );
    };
    switch (node.type) {
      case 'Scope':
        this.startFrame(node.body as ContainerDef, childPrefix, frame.loop, (s) => finish(s));
        return;
      case 'If': {
        const ev = this.eval('expression', rec, frame);
        if (!ev) return this.skipBodies(node, childPrefix, 'ActionSkipped');
        if (typeof ev.value !== 'boolean') {
          this.skipBodies(node, childPrefix, 'ActionSkipped');
          this.settleNow(rec, frame, 'Failed', {
            error: {
              code: 'InvalidTemplate',
              message: `The expression of If '${node.name}' must evaluate to a boolean, not ${JSON.stringify(toJson(ev.value))}.`,
            },
          });
          return;
        }
        rec.inputs = { expressionResult: ev.value };
        const chosen = (ev.value ? node.body : node.elseBody) as ContainerDef;
        const other = (ev.value ? node.elseBody : node.body) as ContainerDef;
        this.skipContainer(other, childPrefix, 'ActionBranchingConditionNotSatisfied');
        this.startFrame(chosen, childPrefix, frame.loop, (s) => finish(s));
        return;
      }
      case 'Switch': {
        const ev = this.eval('expression', rec, frame);
        if (!ev) return this.skipBodies(node, childPrefix, 'ActionSkipped');
        const value = ev.value;
        rec.inputs = { expression: value };
        const match = (node.cases ?? []).find((c) => deepEquals(value, c.value as Value));
        const chosen = match ? match.body : (node.defaultBody as ContainerDef);
        for (const c of node.cases ?? [])
          if (c !== match) this.skipContainer(c.body, childPrefix, 'ActionBranchingConditionNotSatisfied');
        if (match && node.defaultBody)
          this.skipContainer(node.defaultBody, childPrefix, 'ActionBranchingConditionNotSatisfied');
        this.startFrame(chosen, childPrefix, frame.loop, (s) => finish(s, { outputs: { expression: value } }));
        return;
      }
      case 'Foreach':
        this.beginForeach(rec, frame, finish);
        return;
      case 'Until':
        this.beginUntil(rec, frame);
        return;
    }
  }

  private beginForeach(rec: Rec, frame: Frame, finish: (s: Outcome) => void): void {
    const node = rec.node;
    const ev = this.eval('foreach', rec, frame);
    if (!ev) return this.skipBodies(node, frame.prefix, 'ActionSkipped');
    const items = ev.value;
    if (!Array.isArray(items)) {
      this.skipBodies(node, frame.prefix, 'ActionSkipped');
      const kind = items === null ? 'Null' : typeof items === 'object' ? 'Object' : typeof items;
      this.settleNow(rec, frame, 'Failed', {
        error: {
          code: 'InvalidTemplate',
          message: `The execution of template action '${node.name}' failed: the result of the evaluation of 'foreach' expression is of type '${kind}'. The result must be a valid array.`,
        },
      });
      return;
    }
    rec.repetitionCount = items.length;
    const limit = node.concurrency > 0 ? node.concurrency : this.workflow.defaultForeachConcurrency;
    let next = 0;
    let active = 0;
    let failed = false;
    const body = node.body as ContainerDef;
    const pump = (): void => {
      while (active < limit && next < items.length && !this.halted) {
        const i = next++;
        active++;
        const loop: LoopCtx = { node, item: items[i] as Value, index: i, parent: frame.loop };
        this.startFrame(body, `${frame.prefix}${node.name}[${i}]/`, loop, (s) => {
          active--;
          if (s === 'Failed') failed = true;
          pump();
        });
      }
      if (active === 0 && (next >= items.length || this.halted)) {
        active = -1; // finish once
        finish(failed ? 'Failed' : 'Succeeded');
      }
    };
    pump();
  }

  private beginUntil(rec: Rec, frame: Frame): void {
    const node = rec.node;
    let count = 60;
    let timeoutMs = 3600000;
    if (node.compiled.has('limit')) {
      const lim = this.eval('limit', rec, frame);
      if (!lim) return this.skipBodies(node, frame.prefix, 'ActionSkipped');
      const c = numeric(prop(lim.value, 'count') ?? null);
      const t = prop(lim.value, 'timeout');
      if (c !== undefined) count = Number(c);
      if (typeof t === 'string' && t !== '') {
        const ms = parseDuration(t);
        if (ms === undefined) {
          this.skipBodies(node, frame.prefix, 'ActionSkipped');
          this.settleNow(rec, frame, 'Failed', {
            error: { code: 'InvalidInput', message: `Until limit.timeout '${t}' is not an ISO 8601 duration.` },
          });
          return;
        }
        timeoutMs = ms;
      }
    }
    const started = this.now;
    const body = node.body as ContainerDef;
    const limitsFail = node.options.has('failwhenlimitsreached');
    let i = 0;
    const iterate = (): void => {
      const loop: LoopCtx = { node, item: undefined, index: i, parent: frame.loop };
      rec.repetitionCount = i + 1;
      this.startFrame(body, `${frame.prefix}${node.name}[${i}]/`, loop, (s) => {
        i++;
        const end = (status: Outcome, error?: ErrorData): void => {
          if (status === 'Failed')
            this.settleNow(rec, frame, 'Failed', {
              error: error ?? FAILED_CONTAINER,
              code: error?.code ?? 'ActionFailed',
            });
          else this.settleNow(rec, frame, 'Succeeded', { code: 'NotSpecified' });
        };
        if (this.halted) return end(s);
        // do-while: the condition is checked after each iteration (spec §6.9).
        let cond: Value;
        try {
          cond = (node.compiled.get('expression') as Compiled).evaluate(this.ctx(frame, rec));
        } catch (e) {
          return end('Failed', evaluationError(e));
        }
        if (typeof cond !== 'boolean')
          return end('Failed', {
            code: 'InvalidTemplate',
            message: `The expression of Until '${node.name}' must evaluate to a boolean.`,
          });
        if (cond) return end(s);
        if (i >= count || this.now - started >= timeoutMs) {
          if (limitsFail)
            return end('Failed', {
              code: 'UntilLimitReached',
              message: `The Until loop '${node.name}' reached its limit (count ${count}, timeout ${timeoutMs} ms) before its condition held.`,
            });
          return end(s);
        }
        iterate();
      });
    };
    iterate();
  }

  // ---- steps and emitted records

  private takeStep(): Step {
    const records: ActionRecord[] = [];
    for (const r of this.changed) records.push(this.emit(r));
    this.changed = new Set();
    const commands = this.commands;
    this.commands = [];
    let status: RunStatus = this.status;
    if (!this.done) {
      const pend = [...this.pendingCmds.values()];
      status =
        pend.length > 0 &&
        pend.every((c) => c.kind === 'awaitCallback' || c.kind === 'timer') &&
        pend.some((c) => c.kind === 'awaitCallback')
          ? 'Waiting'
          : 'Running';
    }
    return { commands, records, status, done: this.done };
  }

  emit(r: Rec): ActionRecord {
    const out: ActionRecord = { name: r.name, path: r.path, type: r.node.type, status: r.status };
    if (r.code !== undefined) out.code = r.code;
    out.error = r.error ?? null;
    const secureIn = r.node.secureInputs;
    const secureOut = r.node.secureOutputs;
    if (r.inputs !== undefined) out.inputs = secureIn ? SECURED_VALUE : toJson(r.inputs);
    if (r.outputs !== undefined) out.outputs = secureOut ? SECURED_VALUE : toJson(r.outputs);
    if (r.startTime !== undefined) out.startTime = r.startTime;
    if (r.endTime !== undefined) out.endTime = r.endTime;
    if (r.retryHistory) out.retryHistory = r.retryHistory.map((h) => ({ ...h }));
    if (r.trackedProperties !== undefined) out.trackedProperties = toJson(r.trackedProperties);
    if (r.repetitionIndexes) out.repetitionIndexes = r.repetitionIndexes;
    if (r.repetitionCount !== undefined) out.repetitionCount = r.repetitionCount;
    out.trackingId = `${this.init.runId}/${r.path}`;
    return out;
  }

  /** Sends a command that expects no answer (the Response). */
  emitCommand(cmd: Command): void {
    this.commands.push(cmd);
  }
}

interface EffectState {
  w: Waiting;
  policy: RetryPolicy;
  inputs: unknown;
  attempt: number;
  polls: number;
  history: NonNullable<ActionRecord['retryHistory']>;
  timeoutAt?: number;
  startedAt?: number;
  operation?: 'subscribe' | 'poll';
  unsubscribe?: unknown;
  onSubscribed?: () => void;
}

function stripRetry(inputs: unknown): unknown {
  if (!isPlainObject(inputs)) return inputs;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (k.toLowerCase() !== 'retrypolicy') out[k] = v;
  return out;
}

function header(outputs: Value | undefined, name: string): Value | undefined {
  return prop(prop(outputs ?? null, 'headers') ?? null, name);
}

/** Retry-After as seconds or an HTTP date is not resolvable without a clock; seconds only. */
function retryAfterMs(outputs: Value | undefined): number | undefined {
  const h = header(outputs, 'retry-after');
  const n = typeof h === 'string' ? Number(h) : numeric(h ?? null);
  return n !== undefined && Number.isFinite(Number(n)) && Number(n) >= 0 ? Number(n) * 1000 : undefined;
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

export type { Frame };
