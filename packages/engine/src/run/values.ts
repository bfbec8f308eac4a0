// What one run's expressions read (ContextHost, for EvalContext): the trigger, the actions and
// their results, variables, parameters, app settings, the workflow, the clock and the run's own
// random numbers. RunMachine makes one per run and moves its clock as events come in.
import type { Value } from '@flowbridge/expression';
import type { VariableTable } from '../actions/variables.js';
import type { Workflow } from '../definition/model.js';
import type { RunInit } from '../types.js';
import type { ContextHost, LoopCtx } from './context.js';
import type { History } from './history.js';
import type { Rec } from './host.js';
import { Rng } from './random.js';
import { appSetting, parameterTable, triggerView, workflowView } from './views.js';

export class RunValues implements ContextHost {
  /** The time of the event being processed: the run's only clock. */
  clock: number;
  private readonly triggerRecord: Value;
  /** Parameter values by lower-cased name: the definition's, overridden by the run's (made at first read). */
  private params: Map<string, Value> | undefined;
  private workflowView: Value | undefined;
  /** Made at the first draw (most runs draw nothing). */
  private rng: Rng | undefined;

  constructor(
    private readonly workflow: Workflow,
    private readonly init: RunInit,
    private readonly history: History,
    private readonly variables: VariableTable,
  ) {
    this.clock = init.now;
    this.triggerRecord = triggerView(init);
  }

  triggerValue(): Value {
    return this.triggerRecord;
  }
  actionValue(name: string, loop: LoopCtx | undefined): Value | undefined {
    return this.history.actionValue(name, loop);
  }
  resultValue(name: string, loop: LoopCtx | undefined): Value | undefined {
    return this.history.resultValue(name, loop);
  }
  variableValue(name: string): Value | undefined {
    return this.variables.get(name.toLowerCase())?.value;
  }
  parameterValue(name: string): Value | undefined {
    const lower = name.toLowerCase();
    const params = (this.params ??= parameterTable(this.workflow, this.init));
    return params.has(lower) ? (params.get(lower) as Value) : undefined;
  }
  appSettingValue(name: string): string | undefined {
    return appSetting(this.init.appSettings, name);
  }
  recordValue(rec: Rec): Value {
    return this.history.view(rec);
  }
  workflowValue(): Value {
    return (this.workflowView ??= workflowView(this.init));
  }
  nowMs(): number {
    return this.clock;
  }
  guid(): string {
    return (this.rng ??= new Rng(this.init.runId)).guid();
  }
  random(): number {
    return (this.rng ??= new Rng(this.init.runId)).next();
  }
}
