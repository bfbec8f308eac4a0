// The shape of one action type in the registry (./registry.ts): what it is, how a definition of
// it is checked and compiled, and how it runs. Each family of types lives in its own module and
// exports its entries; adding a type is one entry there.
import type { ActionNode, ContainerDef } from '../definition/model.js';
import type { Compiled } from '../expr.js';
import type { DefinitionErrorCode } from '../types.js';
import type { ActionHost, Frame, Rec } from '../run/host.js';
import type { ActionKind, ActionTypeInfo, EffectFamily } from './kinds.js';

/** What a type's check sees of the definition being compiled (one action at a time). */
export interface DefinitionCheck {
  /** How deeply the action is nested: 1 at the top level. */
  readonly depth: number;
  err(pointer: string, code: DefinitionErrorCode, message: string): void;
  /** A property the type requires; MissingRequiredProperty is reported when it is absent. */
  required(key: string): unknown;
  /** The action's `inputs` when they are an object. */
  inputs(): Record<string, unknown> | undefined;
  /** Compiles a definition value without keeping it (reports InvalidTemplate). */
  compile(json: unknown, pointer: string, as?: 'value' | 'condition'): Compiled | undefined;
  /**
   * Compiles a value into one of the action's roles (expression, foreach, limit, where, ...).
   * A role the type compiles is its own: the common envelope compilation leaves it alone.
   */
  compileRole(role: string, json: unknown, pointer: string, as?: 'value' | 'condition'): void;
  /** Builds one of the action's child action maps (branch, case, loop body). */
  body(actions: unknown, pointer: string): ContainerDef;
  /** Declares a variable of InitializeVariable; false when the name was declared before. */
  declareVariable(name: string, type: string): boolean;
}

export type ActionRun = (host: ActionHost, rec: Rec, frame: Frame) => void;

export interface ActionType extends ActionTypeInfo {
  /** Save-time checks and compilation beyond the common envelope (spec §15). */
  check?(node: ActionNode, c: DefinitionCheck): void;
  /** Compiles an object `inputs` when parts of it are evaluated separately (data operations). */
  compileInputs?(node: ActionNode, inputs: Record<string, unknown>, c: DefinitionCheck): void;
  /** Whether its body is a loop (its actions see it in `loops`). */
  readonly loop: boolean;
  /** Runs one action of this type: it settles the record now or waits on the host. */
  readonly run: ActionRun;
}

/** The entry of an action type, with everything it does not say at its default. */
export function define(
  spec: Pick<ActionType, 'name' | 'kind' | 'run'> & Partial<Omit<ActionType, 'name' | 'kind' | 'run'>>,
): ActionType {
  return {
    retryPolicy: false,
    asyncPolling: false,
    timeout: false,
    notInLoop: false,
    loop: false,
    ...spec,
  };
}

export type { ActionKind, EffectFamily };
