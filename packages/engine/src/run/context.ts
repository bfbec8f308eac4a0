// The WorkflowContext an expression sees while one action evaluates: which loop iteration it is
// in decides which repetition of another action `outputs('X')` reads.
import type { Value, WorkflowContext } from '@flowbridge/expression';
import type { ActionNode } from '../definition/model.js';
import type { Rec } from './host.js';

export interface LoopCtx {
  node: ActionNode;
  item: Value | undefined;
  index: number;
  parent: LoopCtx | undefined;
}

/** What the context needs from the run. */
export interface ContextHost {
  triggerValue(): Value;
  actionValue(name: string, loop: LoopCtx | undefined): Value | undefined;
  resultValue(name: string, loop: LoopCtx | undefined): Value | undefined;
  variableValue(name: string): Value | undefined;
  parameterValue(name: string): Value | undefined;
  appSettingValue(name: string): string | undefined;
  workflowValue(): Value;
  /** The expression view of a record of this run (currentAction()). */
  recordValue(rec: Rec): Value;
  nowMs(): number;
  guid(): string;
  random(): number;
}

export class EvalContext implements WorkflowContext {
  constructor(
    private readonly host: ContextHost,
    private readonly loop: LoopCtx | undefined,
    private readonly current: Rec | undefined,
    private readonly dataItem: { value: Value } | undefined,
    private readonly callbackUrl: string | undefined,
  ) {}
  trigger(): Value {
    return this.host.triggerValue();
  }
  action(name: string): Value | undefined {
    return this.host.actionValue(name, this.loop);
  }
  currentAction(): Value | undefined {
    return this.current ? this.host.recordValue(this.current) : undefined;
  }
  item(loopName: string | undefined): Value | undefined {
    if (loopName === undefined) {
      // Inside Query/Select/Table item() is the element of that data operation (spec §2).
      if (this.dataItem) return this.dataItem.value;
      for (let l = this.loop; l; l = l.parent) if (l.node.type === 'Foreach') return l.item;
      return undefined;
    }
    const lower = loopName.toLowerCase();
    for (let l = this.loop; l; l = l.parent) if (l.node.lower === lower && l.node.type === 'Foreach') return l.item;
    return undefined;
  }
  iterationIndex(loopName: string): number | undefined {
    const lower = loopName.toLowerCase();
    for (let l = this.loop; l; l = l.parent) if (l.node.lower === lower) return l.index;
    return undefined;
  }
  variable(name: string): Value | undefined {
    return this.host.variableValue(name);
  }
  parameter(name: string): Value | undefined {
    return this.host.parameterValue(name);
  }
  appsetting(key: string): string | undefined {
    return this.host.appSettingValue(key);
  }
  result(scopeName: string): Value | undefined {
    return this.host.resultValue(scopeName, this.loop);
  }
  workflow(): Value {
    return this.host.workflowValue();
  }
  listCallbackUrl(): string | undefined {
    return this.callbackUrl;
  }
  now(): number {
    return this.host.nowMs();
  }
  newGuid(): string {
    return this.host.guid();
  }
  random(): number {
    return this.host.random();
  }
}
