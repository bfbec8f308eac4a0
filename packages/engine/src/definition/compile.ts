// Validates a loaded definition (spec §15) and builds its executable graph in one walk, so the
// rules and the executor can never disagree about the shape of a definition.
import { VARIABLE_TYPES } from '../actions/variables.js';
import { compileCondition, compileFailure, compileValue } from '../expr.js';
import { isRecord } from '../json.js';
import { RUN_AFTER_STATUSES, TERMINATE_STATUSES, statusNamed } from '../statuses.js';
import type { ActionStatus } from '../statuses.js';
import { checkActionReferences } from './references.js';
import type { Compiled } from '../expr.js';
import type { DefinitionError, DefinitionErrorCode, LoadedDefinition } from '../types.js';
import { getProp, ptr } from './load.js';
import type { ActionNode, ContainerDef, Workflow } from './model.js';
import { LIMITS } from './limits.js';
import { parameters } from './parameters.js';
import type { Reporter } from './report.js';
import { maskSecuredInputs, secureDataProperties } from './secure.js';
import { attachStaticResult } from './static-results.js';
import { isPushRequestTrigger } from './trigger-types.js';
import { triggerNodes } from './triggers.js';
import { actionType } from './types-table.js';

type Obj = Record<string, unknown>;

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
    const c: ContainerDef = { owner, actions: [], starts: [], leaves: [] };
    if (actions === undefined || actions === null) return c;
    if (!isRecord(actions)) {
      this.err(pointer, 'InvalidProperty', 'actions must be an object mapping action names to actions.');
      return c;
    }
    const local = new Map<string, ActionNode>();
    for (const [name, def] of Object.entries(actions)) {
      const node = this.action(name, def, pointer + ptr(name), c, loops, depth);
      if (node) {
        c.actions.push(node);
        local.set(node.lower, node);
      }
    }
    // Resolve run-after among siblings only (spec §3.2).
    for (const node of c.actions) {
      const ra = getProp(node.def, 'runAfter');
      if (ra === undefined || ra === null) continue;
      const raPtr = node.pointer + '/runAfter';
      if (!isRecord(ra)) {
        this.err(raPtr, 'InvalidProperty', `runAfter of '${node.name}' must be an object.`);
        continue;
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
    this.checkCycles(c);
    for (const node of c.actions) {
      if (node.runAfter.length === 0) c.starts.push(node);
      if (node.successors.length === 0) c.leaves.push(node);
    }
    return c;
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
    const t = actionType(rawType);
    if (!t) {
      this.err(pointer + '/type', 'UnknownActionType', `Action '${name}' has unknown type '${rawType}'.`);
      return undefined;
    }
    const opts = new Set<string>();
    const oo = getProp(def, 'operationOptions');
    if (typeof oo === 'string') for (const o of oo.split(',')) if (o.trim()) opts.add(o.trim().toLowerCase());
    const rc = getProp(def, 'runtimeConfiguration');
    const secureProps = secureDataProperties(rc);
    const node: ActionNode = {
      name,
      lower,
      type: t.name,
      kind: t.kind,
      def,
      pointer,
      container,
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
    this.typeSpecific(node, rc, depth);
    this.compileCommon(node);
    return node;
  }

  required(node: ActionNode, key: string): unknown {
    const v = getProp(node.def, key);
    if (v === undefined)
      this.err(
        node.pointer,
        'MissingRequiredProperty',
        `Action '${node.name}' of type ${node.type} requires '${key}'.`,
      );
    return v;
  }

  inputs(node: ActionNode): Obj | undefined {
    const inputs = getProp(node.def, 'inputs');
    return isRecord(inputs) ? inputs : undefined;
  }

  typeSpecific(node: ActionNode, rc: unknown, depth: number): void {
    const p = node.pointer;
    const innerLoops = node.type === 'Foreach' || node.type === 'Until' ? [...node.loops, node] : node.loops;
    const sub = (actions: unknown, pointer: string): ContainerDef => {
      const c = this.container(actions, pointer, node, innerLoops, depth + 1);
      node.bodies.push(c);
      return c;
    };
    if (node.inLoop && (node.type === 'Terminate' || node.type === 'Response' || node.type === 'InitializeVariable')) {
      this.err(
        p,
        'ActionNotAllowedInLoop',
        `${node.type} action '${node.name}' is not allowed inside a Foreach or Until loop.`,
      );
    }
    switch (node.type) {
      case 'Compose':
        this.required(node, 'inputs');
        break;
      case 'InitializeVariable': {
        if (depth > 1)
          this.err(
            p,
            'InitializeVariableNotTopLevel',
            `InitializeVariable '${node.name}' must be at the top level of the definition.`,
          );
        const vars = this.inputs(node) ? getProp(this.inputs(node)!, 'variables') : undefined;
        // One variable per action in the designer; LA Standard's "Initialize variables" declares several.
        if (!Array.isArray(vars) || vars.length === 0) {
          this.err(
            p + '/inputs/variables',
            'InvalidVariableDeclaration',
            `InitializeVariable '${node.name}' must declare at least one variable.`,
          );
          break;
        }
        vars.forEach((v, i) => {
          const vname = isRecord(v) ? getProp(v, 'name') : undefined;
          const vtype = isRecord(v) ? getProp(v, 'type') : undefined;
          const vp = p + '/inputs/variables' + ptr(i);
          if (typeof vname !== 'string' || vname === '' || typeof vtype !== 'string') {
            this.err(vp, 'InvalidVariableDeclaration', `The variable of '${node.name}' needs a name and a type.`);
          } else if (!VARIABLE_TYPES.some((t) => t === vtype.toLowerCase())) {
            this.err(vp + '/type', 'InvalidVariableDeclaration', `Unknown variable type '${vtype}'.`);
          } else if (!vname.includes('@')) {
            if (this.variables.has(vname.toLowerCase()))
              this.err(vp + '/name', 'DuplicateVariable', `Variable '${vname}' is initialised more than once.`);
            this.variables.set(vname.toLowerCase(), vtype.toLowerCase());
          }
        });
        break;
      }
      case 'SetVariable':
      case 'IncrementVariable':
      case 'DecrementVariable':
      case 'AppendToArrayVariable':
      case 'AppendToStringVariable': {
        const inputs = this.inputs(node);
        if (!inputs || typeof getProp(inputs, 'name') !== 'string')
          this.err(p + '/inputs', 'MissingRequiredProperty', `${node.type} '${node.name}' requires inputs.name.`);
        else if (node.type === 'SetVariable' && getProp(inputs, 'value') === undefined)
          this.err(p + '/inputs', 'MissingRequiredProperty', `SetVariable '${node.name}' requires inputs.value.`);
        break;
      }
      case 'Terminate': {
        const inputs = this.inputs(node);
        const rs = inputs ? getProp(inputs, 'runStatus') : undefined;
        if (typeof rs !== 'string')
          this.err(p + '/inputs', 'MissingRequiredProperty', `Terminate '${node.name}' requires inputs.runStatus.`);
        else if (!rs.startsWith('@') && !statusNamed(TERMINATE_STATUSES, rs)) {
          this.err(
            p + '/inputs/runStatus',
            'InvalidProperty',
            `Terminate runStatus must be Succeeded, Failed or Cancelled, not '${rs}'.`,
          );
        }
        break;
      }
      case 'Response':
        this.hasResponse = true;
        break;
      case 'If': {
        const e = this.required(node, 'expression');
        if (e !== undefined) this.set(node, 'expression', this.compile(e, p + '/expression', 'condition'));
        node.body = sub(getProp(node.def, 'actions'), p + '/actions');
        const els = getProp(node.def, 'else');
        node.elseBody = sub(isRecord(els) ? getProp(els, 'actions') : undefined, p + '/else/actions');
        break;
      }
      case 'Switch': {
        const e = this.required(node, 'expression');
        if (e !== undefined) this.set(node, 'expression', this.compile(e, p + '/expression'));
        const cases = this.required(node, 'cases');
        node.cases = [];
        const seen: unknown[] = [];
        if (isRecord(cases)) {
          const entries = Object.entries(cases);
          if (entries.length > LIMITS.switchCases)
            this.err(
              p + '/cases',
              'TooManySwitchCases',
              `Switch '${node.name}' has ${entries.length} cases; the limit is ${LIMITS.switchCases}.`,
            );
          for (const [cname, cdef] of entries) {
            const cp = p + '/cases' + ptr(cname);
            if (!isRecord(cdef)) {
              this.err(cp, 'InvalidProperty', `Switch case '${cname}' must be an object.`);
              continue;
            }
            const value = getProp(cdef, 'case');
            if (
              value === undefined ||
              (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
            ) {
              this.err(cp + '/case', 'InvalidProperty', `Switch case '${cname}' needs a constant 'case' value.`);
            } else if (seen.some((s) => s === value)) {
              this.err(
                cp + '/case',
                'DuplicateSwitchCase',
                `Switch case value ${JSON.stringify(value)} is used more than once.`,
              );
            } else seen.push(value);
            node.cases.push({ name: cname, value, body: sub(getProp(cdef, 'actions'), cp + '/actions') });
          }
        } else if (cases !== undefined)
          this.err(p + '/cases', 'InvalidProperty', `Switch '${node.name}' cases must be an object.`);
        const def = getProp(node.def, 'default');
        node.defaultBody = sub(isRecord(def) ? getProp(def, 'actions') : undefined, p + '/default/actions');
        break;
      }
      case 'Foreach': {
        const fe = this.required(node, 'foreach');
        if (fe !== undefined) this.set(node, 'foreach', this.compile(fe, p + '/foreach'));
        const conc = isRecord(rc) ? getProp(rc, 'concurrency') : undefined;
        const reps = isRecord(conc) ? getProp(conc, 'repetitions') : undefined;
        const sequential = node.options.has('sequential');
        if (reps !== undefined) {
          if (typeof reps !== 'number' || !Number.isInteger(reps) || reps < 1 || reps > LIMITS.foreachMax) {
            this.err(
              p + '/runtimeConfiguration/concurrency/repetitions',
              'InvalidConcurrency',
              `Foreach repetitions must be an integer from 1 to ${LIMITS.foreachMax}.`,
            );
          } else if (sequential) {
            this.err(
              p + '/operationOptions',
              'InvalidConcurrency',
              `Foreach '${node.name}' sets both Sequential and concurrency.repetitions.`,
            );
          }
          node.concurrency = typeof reps === 'number' && reps >= 1 ? Math.min(Math.floor(reps), LIMITS.foreachMax) : 0;
        } else node.concurrency = sequential ? 1 : 0; // 0 = the workflow default
        node.body = sub(getProp(node.def, 'actions'), p + '/actions');
        break;
      }
      case 'Until': {
        const e = this.required(node, 'expression');
        if (e !== undefined) this.set(node, 'expression', this.compile(e, p + '/expression', 'condition'));
        const limit = getProp(node.def, 'limit');
        if (limit !== undefined) this.set(node, 'limit', this.compile(limit, p + '/limit'));
        node.body = sub(getProp(node.def, 'actions'), p + '/actions');
        break;
      }
      case 'Scope':
        node.body = sub(getProp(node.def, 'actions'), p + '/actions');
        break;
      default:
        break;
    }
  }

  set(node: ActionNode, role: string, c: Compiled | undefined): void {
    if (c) node.compiled.set(role, c);
  }

  /** Compiles `inputs` (per role for data operations whose parts see item()) and envelope extras. */
  compileCommon(node: ActionNode): void {
    const p = node.pointer;
    const inputs = getProp(node.def, 'inputs');
    if (inputs !== undefined && node.kind !== 'container') {
      if ((node.type === 'Query' || node.type === 'Select' || node.type === 'Table') && isRecord(inputs)) {
        const rest: Obj = {};
        for (const [k, v] of Object.entries(inputs)) {
          const lk = k.toLowerCase();
          if (lk === 'where') this.set(node, 'where', this.compile(v, p + '/inputs' + ptr(k), 'condition'));
          else if (lk === 'select') this.set(node, 'select', this.compile(v, p + '/inputs' + ptr(k)));
          else if (lk === 'columns' && node.type === 'Table' && Array.isArray(v)) {
            node.columns = v.map((col, i) => {
              const cp = p + '/inputs' + ptr(k) + ptr(i);
              if (!isRecord(col)) return {};
              const h = getProp(col, 'header');
              const val = getProp(col, 'value');
              const out: { header?: Compiled; value?: Compiled } = {};
              const hc = h === undefined ? undefined : this.compile(h, cp + '/header');
              const vc = val === undefined ? undefined : this.compile(val, cp + '/value');
              if (hc) out.header = hc;
              if (vc) out.value = vc;
              return out;
            });
          } else rest[k] = v;
        }
        if (node.type === 'Query' && getProp(inputs, 'where') === undefined)
          this.err(p + '/inputs', 'MissingRequiredProperty', `Query '${node.name}' requires inputs.where.`);
        if (node.type === 'Select' && getProp(inputs, 'select') === undefined)
          this.err(p + '/inputs', 'MissingRequiredProperty', `Select '${node.name}' requires inputs.select.`);
        this.set(node, 'inputs', this.compile(rest, p + '/inputs'));
      } else this.set(node, 'inputs', this.compile(inputs, p + '/inputs'));
    }
    const limit = getProp(node.def, 'limit');
    if (limit !== undefined && node.type !== 'Until') this.set(node, 'limit', this.compile(limit, p + '/limit'));
    const tracked = getProp(node.def, 'trackedProperties');
    if (tracked !== undefined) this.set(node, 'trackedProperties', this.compile(tracked, p + '/trackedProperties'));
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
  const def = loaded.definition as Obj;
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
      triggers,
      parameters: params,
      outputs,
      hasResponse: a.hasResponse,
      secureParameterNames,
      defaultForeachConcurrency: options.defaultForeachConcurrency ?? defaultLoopConcurrency(loaded),
    },
  };
}
