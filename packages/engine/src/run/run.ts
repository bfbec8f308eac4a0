// The executor: a deterministic state machine over one run (spec §5–9). Events come in
// (effect results, timers, callbacks, cancel), commands go out; no I/O, no clock, no randomness
// of its own. Ready actions wait in a FIFO queue, so the same history always gives the same
// order of decisions, and each container keeps its own count of unmet predecessors so a step
// never rescans the definition.
//
// This module is the run's core: the queue, frames, settling, waiting on the host, steps. What
// each action type does is in ../actions (found through ../actions/registry.ts); actions see the
// run only as an ActionHost. The action records are kept by ./history.ts, what expressions read
// by ./values.ts.
import type { Value } from '@flowbridge/expression';
import { actionTypeOf } from '../actions/registry.js';
import { FAILED_CONTAINER } from '../actions/containers.js';
import type { VariableTable } from '../actions/variables.js';
import type { ActionNode, ContainerDef, Workflow } from '../definition/model.js';
import { evaluationError } from '../expr.js';
import type { Compiled } from '../expr.js';
import { SECURED_VALUE } from '../secured.js';
import type { ActionStatus, HaltStatus, Outcome, RunStatus } from '../statuses.js';
import type {
  Command,
  ErrorData,
  RetryAttempt,
  RunEvent,
  RunHandle,
  RunInit,
  RunOutcome,
  RunResult,
  Step,
} from '../types.js';
import { ACCEPTED, triggerFacts, type TriggerFacts } from './caller.js';
import { EvalContext } from './context.js';
import type { LoopCtx } from './context.js';
import { History } from './history.js';
import { Outbox } from './outbox.js';
import type { ActionHost, Evaluated, Frame, Rec, Settlement, Waiting } from './host.js';
import { staticOutcome } from './static-result.js';
import { deriveStatus } from './status.js';
import { isoTime } from './timing.js';
import { evaluateOutputs } from './outputs.js';
import { RunValues } from './values.js';

/** One run's state; hosts hold it as a RunHandle (made by ./handle.ts), actions as an ActionHost. */
export class RunMachine implements RunHandle, ActionHost {
  readonly runId: string;
  readonly defaultForeachConcurrency: number;
  readonly variables: VariableTable = new Map();
  private readonly workflow: Workflow;
  private readonly init: RunInit;
  private readonly history: History;
  /** What its expressions read, and the run's clock. */
  private readonly values: RunValues;
  private readonly outbox = new Outbox();
  private queue: Array<() => void> = [];
  private qHead = 0;
  /** The trigger the run was started by, as the definition declares it (found at first need). */
  private triggerFacts: TriggerFacts | undefined;
  private stopped: { status: HaltStatus; error: ErrorData | null } | undefined;
  private status: RunStatus = 'Running';
  private error: ErrorData | null = null;
  private done = false;
  private response: RunResult['response'] = null;
  private readonly runOutputs: Record<string, unknown> = {};
  /** RunInit.callbackBaseUrl, the function replaced by its value at first read. */
  private callbackBase: string | (() => string) | undefined;

  constructor(workflow: Workflow, init: RunInit) {
    this.workflow = workflow;
    this.init = init;
    this.runId = init.runId;
    this.callbackBase = init.callbackBaseUrl;
    this.defaultForeachConcurrency = workflow.defaultForeachConcurrency;
    this.history = new History(workflow, init.runId, init.trigger.clientTrackingId);
    this.values = new RunValues(workflow, init, this.history, this.variables);
  }

  get callbackBaseUrl(): string | undefined {
    if (typeof this.callbackBase === 'function') this.callbackBase = this.callbackBase();
    return this.callbackBase;
  }

  // ---- RunHandle

  /** Starts the top level; returns the first step. */
  begin(): Step {
    this.startFrame(this.workflow.root, '', undefined, (s) => this.finishRun(s));
    this.drain();
    return this.takeStep();
  }

  deliver(event: RunEvent): Step {
    if (this.done) return this.takeStep();
    this.values.clock = event.now;
    if (event.kind === 'cancel') this.halt('Cancelled', { code: 'Cancelled', message: 'The run was cancelled.' });
    else {
      this.outbox.answer(event.kind === 'effectResult' ? event.id : event.key)?.(event);
    }
    this.drain();
    return this.takeStep();
  }

  pending(): Command[] {
    return this.outbox.pending();
  }

  outcome(): RunOutcome {
    const facts = (this.triggerFacts ??= triggerFacts(this.workflow, this.init.trigger.name));
    return {
      status: this.status,
      error: this.error,
      response: facts.answeredAtOnce ? ACCEPTED : this.response,
      outputs: this.runOutputs,
    };
  }

  result(): RunResult {
    const trigger = this.init.trigger;
    const facts = (this.triggerFacts ??= triggerFacts(this.workflow, trigger.name));
    return {
      status: this.status,
      error: this.error,
      trigger: { name: trigger.name, outputs: facts.secured ? SECURED_VALUE : trigger.outputs },
      actions: this.history.resultActions(),
      response: facts.answeredAtOnce ? ACCEPTED : this.response,
      outputs: this.runOutputs,
    };
  }

  // ---- ActionHost: evaluation

  /** The run's own random numbers (retry jitter): the ones its expressions draw from. */
  random(): number {
    return this.values.random();
  }

  get now(): number {
    return this.values.clock;
  }

  context(frame: Frame, rec: Rec | undefined, dataItem?: { value: Value }, callbackUrl?: string): EvalContext {
    return new EvalContext(this.values, frame.loop, rec, dataItem, callbackUrl);
  }

  eval(role: string, rec: Rec, frame: Frame, dataItem?: { value: Value }, callbackUrl?: string): Evaluated {
    const c = rec.node.compiled.get(role);
    if (!c) return { value: null };
    return this.evaluate(c, rec, frame, dataItem, callbackUrl);
  }

  evalCompiled(c: Compiled, rec: Rec, frame: Frame, dataItem?: { value: Value }): Evaluated {
    return this.evaluate(c, rec, frame, dataItem, undefined);
  }

  private evaluate(
    c: Compiled,
    rec: Rec,
    frame: Frame,
    dataItem: { value: Value } | undefined,
    callbackUrl: string | undefined,
  ): Evaluated {
    try {
      return { value: c.evaluate(this.context(frame, rec, dataItem, callbackUrl)) };
    } catch (e) {
      this.settle(rec, frame, 'Failed', { error: evaluationError(e) });
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
    const frame: Frame = {
      def,
      prefix,
      loop,
      unmet: def.runAfterCounts.slice(),
      remaining: def.actions.length,
      onDone,
    };
    for (const a of def.starts) this.enqueue(() => this.start(a, frame));
  }

  /** Runs or skips an action whose predecessors are all terminal (spec §5.1). */
  private start(node: ActionNode, frame: Frame): void {
    if (this.stopped) {
      this.skip(node, frame, 'Terminated', 'The action did not run because the run was terminated or cancelled.');
      return;
    }
    for (const e of node.runAfter) {
      const st = this.history.statusAt(frame.prefix + e.pred.name);
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
    const rec = this.history.add(node, frame, 'Running');
    rec.startTime = isoTime(this.values.clock);
    if (node.staticResult && node.kind !== 'container') {
      const ev = this.eval('inputs', rec, frame);
      if (!ev) return;
      rec.inputs = ev.value;
      const outcome = staticOutcome(node.staticResult);
      this.settle(rec, frame, outcome.status, outcome.settlement);
      return;
    }
    const type = actionTypeOf(node.type);
    if (type) type.run(this, rec, frame);
    else
      this.settle(rec, frame, 'Failed', {
        error: { code: 'NoHostForAction', message: `The engine cannot run actions of type ${node.type}.` },
      });
  }

  // ---- ActionHost: records

  touch(rec: Rec): void {
    this.history.touch(rec);
  }

  addAttempt(rec: Rec, attempt: RetryAttempt): void {
    this.history.addAttempt(rec, attempt);
  }

  /** Records an action Skipped (with everything inside it when it is a container) and moves on. */
  private skip(node: ActionNode, frame: Frame, code: string, message: string): void {
    const rec = this.history.add(node, frame, 'Skipped');
    rec.code = code;
    rec.error = { code, message };
    this.history.skipBodies(node, frame.prefix, code);
    this.completed(rec, frame);
  }

  skipBodies(node: ActionNode, prefix: string, code: string): void {
    this.history.skipBodies(node, prefix, code);
  }

  skipContainer(body: ContainerDef, prefix: string, code: string): void {
    this.history.skipContainer(body, prefix, code);
  }

  settle(rec: Rec, frame: Frame, status: ActionStatus, extra: Settlement = {}): void {
    rec.status = status;
    if (extra.outputs !== undefined) rec.outputs = extra.outputs;
    if (extra.error !== undefined) rec.error = extra.error;
    rec.code = extra.code ?? (status === 'Succeeded' ? (rec.code ?? 'OK') : (rec.error?.code ?? rec.code ?? status));
    if (status === 'Failed' && !rec.error) rec.error = { code: rec.code, message: `The action '${rec.name}' failed.` };
    rec.endTime = isoTime(this.values.clock);
    const tracked = rec.node.compiled.get('trackedProperties');
    if (tracked && status !== 'Skipped') {
      try {
        rec.trackedProperties = tracked.evaluate(this.context(frame, rec));
      } catch {
        // Tracked properties are diagnostics: a failing one must not change the action's outcome.
      }
    }
    this.history.touch(rec);
    this.completed(rec, frame);
  }

  private completed(rec: Rec, frame: Frame): void {
    for (const s of rec.node.successors) {
      const n = (frame.unmet[s.index] ?? 1) - 1;
      frame.unmet[s.index] = n;
      if (n === 0) this.enqueue(() => this.start(s, frame));
    }
    frame.remaining--;
    if (frame.remaining === 0) {
      const outcome = deriveStatus(frame.def, (n) => this.history.statusAt(frame.prefix + n.name));
      frame.onDone(outcome);
    }
  }

  private finishRun(outcome: Outcome): void {
    if (this.stopped) {
      this.status = this.stopped.status;
      this.error = this.stopped.error;
    } else {
      this.status = outcome;
      this.error = outcome === 'Failed' ? FAILED_CONTAINER : null;
    }
    const top: Frame = {
      def: this.workflow.root,
      prefix: '',
      loop: undefined,
      unmet: [],
      remaining: 0,
      onDone: () => {},
    };
    evaluateOutputs(this.workflow.outputs, this.context(top, undefined), this.runOutputs);
    this.done = true;
    for (const w of this.outbox.allWaiting()) this.outbox.clear(w);
  }

  // ---- ActionHost: the run as a whole

  get halted(): boolean {
    return this.stopped !== undefined;
  }

  halt(status: HaltStatus, error: ErrorData | null): void {
    if (this.stopped) return;
    this.stopped = { status, error };
    for (const w of this.outbox.allWaiting()) {
      this.outbox.clear(w);
      this.settle(w.rec, w.frame, 'Cancelled', {
        error: { code: 'Cancelled', message: 'The action was cancelled because the run was terminated or cancelled.' },
      });
    }
  }

  get responded(): boolean {
    return this.response !== null;
  }

  respond(path: string, response: NonNullable<RunResult['response']>): void {
    this.response = response;
    // Field by field (the one caller passes these three), not a spread: same keys, same order.
    const { statusCode, headers, body } = response;
    this.outbox.emit({ kind: 'response', path, statusCode, headers, body });
  }

  // ---- ActionHost: waiting on the host

  wait(rec: Rec, frame: Frame): Waiting {
    return this.outbox.wait(rec, frame);
  }

  settleWaiting(w: Waiting, status: ActionStatus, extra: Settlement = {}): void {
    this.outbox.clear(w);
    this.settle(w.rec, w.frame, status, extra);
  }

  issue(w: Waiting, cmd: Command, key: string, fn: (ev: RunEvent) => void): void {
    this.outbox.issue(w, cmd, key, fn);
  }

  timer(w: Waiting, key: string, dueAt: number, fn: () => void): void {
    this.outbox.issue(w, { kind: 'timer', key, dueAt }, key, fn);
  }

  emitCommand(cmd: Command): void {
    this.outbox.emit(cmd);
  }

  // ---- steps

  private takeStep(): Step {
    const records = this.history.takeChanged();
    const commands = this.outbox.takeCommands();
    const status: RunStatus = this.done ? this.status : this.outbox.onlyWaiting() ? 'Waiting' : 'Running';
    return { commands, records, status, done: this.done };
  }
}
