// The compiled form of a definition: the action graph with resolved run-after edges and every
// expression compiled once, shared by all runs of the workflow version.
import type { Compiled } from '../expr.js';
import type { ActionKind } from '../actions/kinds.js';
import type { ActionStatus } from '../statuses.js';
import type { LoadedDefinition } from '../types.js';

export interface RunAfterEdge {
  pred: ActionNode;
  /** The predecessor statuses that meet the edge (runAfter statuses, canonical spelling). */
  statuses: ReadonlySet<ActionStatus>;
}

/** One map of actions executed together (top level, Scope, If branch, Switch case, loop body). */
export interface ContainerDef {
  owner: ActionNode | undefined;
  actions: ActionNode[];
  /** Actions with no run-after: they start when the container starts. */
  starts: ActionNode[];
  /** Actions no sibling runs after: the ends of each branch (§7.3). */
  leaves: ActionNode[];
  /** How many run-after edges each action (by ActionNode.index) waits for: a frame's starting counts. */
  runAfterCounts: number[];
}

export interface SwitchCase {
  name: string;
  value: unknown;
  body: ContainerDef;
}

export interface ActionNode {
  name: string;
  lower: string;
  /** Canonical type name (`Foreach` for `foreach`). */
  type: string;
  kind: ActionKind;
  def: Record<string, unknown>;
  pointer: string;
  container: ContainerDef;
  /** Position in its container's `actions`. */
  index: number;
  runAfter: RunAfterEdge[];
  successors: ActionNode[];
  /** Enclosing Foreach/Until nodes, outermost first. */
  loops: ActionNode[];
  /** Whether the action is inside a Foreach/Until (any depth). */
  inLoop: boolean;
  /** Containers owned (for skipping everything inside). */
  bodies: ContainerDef[];
  body?: ContainerDef;
  elseBody?: ContainerDef;
  cases?: SwitchCase[];
  defaultBody?: ContainerDef;
  /** Compiled expressions by role: inputs, expression, foreach, limit, from, where, select, ... */
  compiled: Map<string, Compiled>;
  /** Table columns: header and value per column. */
  columns?: Array<{ header?: Compiled; value?: Compiled }>;
  options: ReadonlySet<string>;
  /** Foreach parallelism (1 = sequential). */
  concurrency: number;
  secureInputs: boolean;
  secureOutputs: boolean;
  staticResult?: { status: string; outputs: unknown; error?: unknown };
}

export interface TriggerNode {
  name: string;
  type: string;
  kind?: string;
  def: Record<string, unknown>;
  conditions: Compiled[];
  splitOn?: Compiled;
  /** secureData: the trigger's inputs/outputs are hidden in run history. */
  secureInputs: boolean;
  secureOutputs: boolean;
  /** Concurrency control: at most `runs` runs at once, up to `maximumWaitingRuns` waiting for a slot. */
  concurrency?: TriggerConcurrency;
}

export interface TriggerConcurrency {
  runs: number;
  maximumWaitingRuns: number;
}

export interface ParameterDecl {
  name: string;
  type: string;
  secure: boolean;
  hasValue: boolean;
  value: unknown;
}

/** A compiled, valid definition, ready for many runs. */
export interface Workflow {
  loaded: LoadedDefinition;
  root: ContainerDef;
  /** Every action by lower-cased name. */
  byName: Map<string, ActionNode>;
  /** Every action by its name as defined: how expressions mostly name it (no lower-casing then). */
  byDefinedName: Map<string, ActionNode>;
  triggers: TriggerNode[];
  parameters: Map<string, ParameterDecl>;
  outputs: Array<{ name: string; type: string; value: Compiled; secure: boolean }>;
  /** Whether any Response action exists (the host answers 202 at once when not). */
  hasResponse: boolean;
  /** Lower-cased names of actions whose outputs are secured (their readers' inputs are masked). */
  secureParameterNames: Set<string>;
  /** Foreach default parallelism (host profile: LA 20, PA may choose 1). */
  defaultForeachConcurrency: number;
}
