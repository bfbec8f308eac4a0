// Validates a loaded definition (spec §15) and builds its executable graph in one walk, so the
// rules and the executor can never disagree about the shape of a definition. What is particular
// to each action type (its checks and extra compiled parts) is in its registry entry
// (../actions/registry.ts); triggers, parameters and secured data have modules of their own.
import { lookupActionType } from '../actions/registry.js';
import type { ActionType, DefinitionCheck } from '../actions/types.js';
import { compileCondition, compileFailure, compileValue } from '../expr.js';
import type { Compiled } from '../expr.js';
import { isRecord } from '../json.js';
import { RUN_AFTER_STATUSES, statusNamed } from '../statuses.js';
import type { ActionStatus } from '../statuses.js';
import type { DefinitionError, DefinitionErrorCode, LoadedDefinition } from '../types.js';
import { LIMITS } from './limits.js';
import {
  checkActionExpressions,
  checkDefinitionSize,
  checkOutputExpressions,
  checkTriggerExpressions,
  declaredParameterScope,
} from './expression-checks.js';
import { getProp, ptr } from './load.js';
import type { ActionNode, ContainerDef, Workflow } from './model.js';
import { parameters } from './parameters.js';
import { checkActionReferences } from './references.js';
import type { Reporter } from './report.js';
import { maskSecuredInputs, secureDataProperties } from './secure.js';
import { attachStaticResult } from './static-results.js';
import { isPushRequestTrigger } from './trigger-types.js';
import { triggerNodes } from './triggers.js';

export { LIMITS } from './limits.js';

export interface CompileOptions {
  parameters?: Record<string, unknown>;
  /** Foreach default parallelism (LA 20; a PA host profile may choose 1). */
  defaultForeachConcurrency?: number;
}

class Analyzer implements Reporter {
  errors: DefinitionError[] = [];
  byName = new Map<string, ActionNode>();
  count = 0;
  variables = new Map<string, string>();
  hasResponse = false;
  triggerNames = new Set<string>();

  constructor(private readonly prefix: string) {}

  err(pointer: string, code: DefinitionErrorCode, message: string): void {
    this.errors.push({ pointer: this.prefix + pointer, code, message });
  }

  compile(json: unknown, pointer: string, as: 'value' | 'condition' = 'value'): Compiled | undefined {
    try {
      return as === 'condition' ? compileCondition(json) : compileValue(json);
    } catch (e) {
      const f = compileFailure(e);
      if (!f) throw e;
      this.err(pointer + f.pointer, 'InvalidTemplate', `The template language expression is not valid: ${f.message}`);
      return undefined;
    }
  }

  container(
    actions: unknown,
    pointer: string,
    owner: ActionNode | undefined,
    loops: ActionNode[],
    depth: number,
  ): ContainerDef {
    const c: ContainerDef = { owner, actions: [], starts: [], leaves: [], runAfterCounts: [] };
    if (actions === undefined || actions === null) return c;
    if (!isRecord(actions)) {
      this.err(pointer, 'InvalidProperty', 'actions must be an object mapping action names to actions.');
      return c;
    }
    const local = new Map<string, ActionNode>();
    for (const [name, def] of Object.entries(actions)) {
      const node = this.action(name, def, pointer + ptr(name), c, loops, depth);
      if (node) {
        node.index = c.actions.length;
        c.actions.push(node);
        local.set(node.lower, node);
      }
    }
    for (const node of c.actions) this.runAfter(node, local, owner);
    this.checkCycles(c);
    for (const node of c.actions) {
      if (node.runAfter.length === 0) c.starts.push(node);
      if (node.successors.length === 0) c.leaves.push(node);
      c.runAfterCounts.push(node.runAfter.length);
    }
    return c;
  }

  /** Resolves the node's run-after among its siblings only (spec §3.2). */
  runAfter(node: ActionNode, local: Map<string, ActionNode>, owner: ActionNode | undefined): void {
    const ra = getProp(node.def, 'runAfter');
    if (ra === undefined || ra === null) return;
    const raPtr = node.pointer + '/runAfter';
    if (!isRecord(ra)) {
      this.err(raPtr, 'InvalidProperty', `runAfter of '${node.name}' must be an object.`);
      return;
    }
    for (const [predName, statuses] of Object.entries(ra)) {
      const pred = local.get(predName.toLowerCase());
      // Agent workflows (LA Standard) write the trigger as a top-level run-after: it has always
      // completed by the time actions start, so the edge is met at once.
      if (!pred && !owner && this.triggerNames.has(predName.toLowerCase())) continue;
      if (!pred) {
        const elsewhere = this.byName.has(predName.toLowerCase()) ? ' (it is not in the same container)' : '';
        this.err(
          raPtr + ptr(predName),
          'RunAfterUnknownAction',
          `Action '${node.name}' runs after '${predName}', which is not a sibling action${elsewhere}.`,
        );
        continue;
      }
      if (!Array.isArray(statuses) || statuses.length === 0) {
        this.err(
          raPtr + ptr(predName),
          'RunAfterEmptyStatuses',
          `runAfter '${predName}' of '${node.name}' must list at least one status.`,
        );
        continue;
      }
      const set = new Set<ActionStatus>();
      statuses.forEach((s, i) => {
        const canon = statusNamed(RUN_AFTER_STATUSES, s);
        if (!canon)
          this.err(
            raPtr + ptr(predName) + ptr(i),
            'RunAfterInvalidStatus',
            `Invalid runAfter status ${JSON.stringify(s)}: use ${RUN_AFTER_STATUSES.slice(0, -1).join(', ')} or ${RUN_AFTER_STATUSES.at(-1)}.`,
          );
        else set.add(canon);
      });
      if (pred === node) {
        this.err(raPtr + ptr(predName), 'RunAfterCycle', `Action '${node.name}' runs after itself.`);
        continue;
      }
      node.runAfter.push({ pred, statuses: set });
      pred.successors.push(node);
    }
  }

  checkCycles(c: ContainerDef): void {
    const state = new Map<ActionNode, 1 | 2>();
    const visit = (n: ActionNode): void => {
      state.set(n, 1);
      for (const e of n.runAfter) {
        const s = state.get(e.pred);
        if (s === 1)
          this.err(
            n.pointer + '/runAfter' + ptr(e.pred.name),
            'RunAfterCycle',
            `The runAfter of '${n.name}' forms a cycle through '${e.pred.name}'.`,
          );
        else if (s === undefined) visit(e.pred);
      }
      state.set(n, 2);
    };
    for (const n of c.actions) if (!state.has(n)) visit(n);
  }

  action(
    name: string,
    def: unknown,
    pointer: string,
    container: ContainerDef,
    loops: ActionNode[],
    depth: number,
  ): ActionNode | undefined {
    this.count++;
    if (!isRecord(def)) {
      this.err(pointer, 'InvalidProperty', `Action '${name}' must be an object.`);
      return undefined;
    }
    if (name.length > LIMITS.nameLength)
      this.err(pointer, 'ActionNameTooLong', `Action name '${name}' is longer than ${LIMITS.nameLength} characters.`);
    const lower = name.toLowerCase();
    if (this.byName.has(lower))
      this.err(
        pointer,
        'DuplicateActionName',
        `Action name '${name}' is used more than once; names must be unique across the definition.`,
      );
    if (depth - 1 > LIMITS.depth)
      this.err(
        pointer,
        'NestingTooDeep',
        `Action '${name}' is nested in ${depth - 1} containers; the limit is ${LIMITS.depth}.`,
      );
    const rawType = getProp(def, 'type');
    if (typeof rawType !== 'string' || rawType === '') {
      this.err(pointer + '/type', 'MissingType', `Action '${name}' has no type.`);
      return undefined;
    }
    const type = lookupActionType(rawType);
    if (!type) {
      this.err(pointer + '/type', 'UnknownActionType', `Action '${name}' has unknown type '${rawType}'.`);
      return undefined;
    }
    const opts = new Set<string>();
    const oo = getProp(def, 'operationOptions');
    if (typeof oo === 'string') for (const o of oo.split(',')) if (o.trim()) opts.add(o.trim().toLowerCase());
    const secureProps = secureDataProperties(getProp(def, 'runtimeConfiguration'));
    const node: ActionNode = {
      name,
      lower,
      type: type.name,
      kind: type.kind,
      def,
      pointer,
      container,
      index: -1,
      runAfter: [],
      successors: [],
      loops,
      inLoop: loops.length > 0,
      bodies: [],
      compiled: new Map(),
      options: opts,
      concurrency: 1,
      secureInputs: secureProps.includes('inputs'),
      secureOutputs: secureProps.includes('outputs'),
    };
    if (!this.byName.has(lower)) this.byName.set(lower, node);
    if (type.kind === 'response') this.hasResponse = true;
    if (node.inLoop && type.notInLoop)
      this.err(
        pointer,
        'ActionNotAllowedInLoop',
        `${node.type} action '${node.name}' is not allowed inside a Foreach or Until loop.`,
      );
    const claimed = new Set<string>();
    const check = this.checkFor(node, type, depth, claimed);
    type.check?.(node, check);
    this.compileCommon(node, type, check, claimed);
    return node;
  }

  /** What the type's own check and compilation see of this action. */
  checkFor(node: ActionNode, type: ActionType, depth: number, claimed: Set<string>): DefinitionCheck {
    const innerLoops = type.loop ? [...node.loops, node] : node.loops;
    return {
      depth,
      err: (pointer, code, message) => this.err(pointer, code, message),
      compile: (json, pointer, as) => this.compile(json, pointer, as),
      compileRole: (role, json, pointer, as) => {
        claimed.add(role);
        const c = this.compile(json, pointer, as);
        if (c) node.compiled.set(role, c);
      },
      required: (key) => {
        const v = getProp(node.def, key);
        if (v === undefined)
          this.err(
            node.pointer,
            'MissingRequiredProperty',
            `Action '${node.name}' of type ${node.type} requires '${key}'.`,
          );
        return v;
      },
      inputs: () => {
        const inputs = getProp(node.def, 'inputs');
        return isRecord(inputs) ? inputs : undefined;
      },
      body: (actions, pointer) => {
        const c = this.container(actions, pointer, node, innerLoops, depth + 1);
        node.bodies.push(c);
        return c;
      },
      declareVariable: (name, vtype) => {
        const lower = name.toLowerCase();
        const fresh = !this.variables.has(lower);
        this.variables.set(lower, vtype.toLowerCase());
        return fresh;
      },
    };
  }

  /** Compiles the envelope: `inputs` (unless the type compiles parts of it), limit, trackedProperties. */
  compileCommon(node: ActionNode, type: ActionType, check: DefinitionCheck, claimed: Set<string>): void {
    const p = node.pointer;
    const inputs = getProp(node.def, 'inputs');
    if (inputs !== undefined && node.kind !== 'container') {
      if (type.compileInputs && isRecord(inputs)) type.compileInputs(node, inputs, check);
      else check.compileRole('inputs', inputs, p + '/inputs');
    }
    const limit = getProp(node.def, 'limit');
    if (limit !== undefined && !claimed.has('limit')) check.compileRole('limit', limit, p + '/limit');
    const tracked = getProp(node.def, 'trackedProperties');
    if (tracked !== undefined) check.compileRole('trackedProperties', tracked, p + '/trackedProperties');
  }
}

/**
 * Foreach parallelism when a loop sets none: Power Automate runs loops one at a time by default,
 * Logic Apps 20 at a time (spec §14 item 14). A definition is Power Automate's when it comes in a
 * Power Automate export or Dataverse clientdata wrapper.
 */
function defaultLoopConcurrency(loaded: LoadedDefinition): number {
  return loaded.wrapper === 'powerautomate' || loaded.wrapper === 'clientdata' ? 1 : 20;
}

/** Validates and compiles. Errors are returned, never thrown; `workflow` is set only when valid. */
export function analyze(
  loaded: LoadedDefinition,
  options: CompileOptions = {},
): { workflow?: Workflow; errors: DefinitionError[] } {
  const a = new Analyzer(loaded.pointerPrefix);
  const def = loaded.definition as Record<string, unknown>;
  const triggers = triggerNodes(a, getProp(def, 'triggers'));
  for (const t of triggers) a.triggerNames.add(t.name.toLowerCase());
  const root = a.container(getProp(def, 'actions'), '/actions', undefined, [], 1);
  if (a.count > LIMITS.actions)
    a.err('/actions', 'TooManyActions', `The definition has ${a.count} actions; the limit is ${LIMITS.actions}.`);
  if (a.hasResponse && triggers.length > 0 && !triggers.some((t) => isPushRequestTrigger(t.type))) {
    // Allowed, but it can never answer anyone; LA rejects it. Reported as an invalid property.
    a.err('/triggers', 'InvalidProperty', 'A Response action needs a Request (HTTP push) trigger.');
  }
  const params = parameters(a, getProp(def, 'parameters'), def, {
    ...(loaded.parameterValues ?? {}),
    ...(options.parameters ?? {}),
  });
  const scope = {
    actions: a.byName,
    variables: new Set(a.variables.keys()),
    triggers: a.triggerNames,
  };
  const report = (pointer: string, code: DefinitionErrorCode, message: string): void => a.err(pointer, code, message);
  for (const node of a.byName.values()) checkActionReferences(node, scope, report);
  const supplied = Object.keys(options.parameters ?? {});
  const expressionScope = declaredParameterScope(loaded, params.keys(), supplied);
  for (const t of triggers) checkTriggerExpressions(t, expressionScope, report);
  for (const node of a.byName.values()) checkActionExpressions(node, expressionScope, report);
  checkOutputExpressions(getProp(def, 'outputs'), expressionScope, report);
  checkDefinitionSize(def, report);
  const outputs: Workflow['outputs'] = [];
  const outs = getProp(def, 'outputs');
  if (isRecord(outs)) {
    for (const [name, o] of Object.entries(outs)) {
      const p = '/outputs' + ptr(name);
      if (!isRecord(o) || getProp(o, 'value') === undefined) {
        a.err(p, 'MissingRequiredProperty', `Output '${name}' needs a value.`);
        continue;
      }
      const c = a.compile(getProp(o, 'value'), p + '/value');
      const type = String(getProp(o, 'type') ?? 'Object');
      if (c) outputs.push({ name, type, value: c, secure: type.toLowerCase().startsWith('secure') });
    }
  }
  const staticResults = getProp(def, 'staticResults');
  for (const node of a.byName.values())
    attachStaticResult(a, node, isRecord(staticResults) ? staticResults : undefined);
  if (a.errors.length > 0) return { errors: a.errors };
  const secureParameterNames = maskSecuredInputs(a.byName, triggers, params);
  return {
    errors: [],
    workflow: {
      loaded,
      root,
      byName: a.byName,
      byDefinedName: new Map([...a.byName.values()].map((n) => [n.name, n])),
      triggers,
      parameters: params,
      outputs,
      hasResponse: a.hasResponse,
      secureParameterNames,
      defaultForeachConcurrency: options.defaultForeachConcurrency ?? defaultLoopConcurrency(loaded),
    },
  };
}
