// The workflow engine: definitions (loading, validation, compilation) and the deterministic
// executor. The contract is ./API.md; refinements are documented at the top of ./types.ts.
import { analyze } from './definition/compile.js';
import type { CompileOptions } from './definition/compile.js';
import { loadDefinition, type LoadOptions } from './definition/load.js';
import type { Workflow } from './definition/model.js';
import type { DefinitionError } from './types.js';

export type * from './types.js';
export type { TriggerConcurrency, Workflow } from './definition/model.js';
export type { CompileOptions } from './definition/compile.js';
export { loadDefinition } from './definition/load.js';
/** Runs: `Run.start(workflow, init)` and `replay(...)` give a RunHandle (`Run` is also its type). */
export { Run, replay } from './run/handle.js';
/** The action types the engine knows: kind, effect family (what a host dispatches on), request rules. */
export { actionTypeInfo, listActionTypes } from './actions/registry.js';
export type { ActionKind, ActionTypeInfo, EffectFamily } from './actions/kinds.js';
export { ACTION_STATUSES, RUN_STATUSES, RUN_AFTER_STATUSES } from './statuses.js';
export { isRecord } from './json.js';
export { SECURED_VALUE } from './secured.js';
export type { LoadOptions } from './definition/load.js';
export { evaluateArmExpression, armFunctionNames, defaultArmDeployment } from './definition/arm/index.js';
export type { ArmDeployment } from './definition/arm/index.js';
export { evaluateTriggerConditions, splitTrigger, TriggerError } from './triggers.js';
export { isoTime, parseDuration } from './run/timing.js';
/** JSON Schema validation (ajv, cached): the host checks trigger bodies and manual inputs with it. */
export { validateSchema } from './actions/schema.js';

/** All save-time errors of a file ([] = valid). */
export function validateDefinition(file: unknown, options?: CompileOptions & LoadOptions): DefinitionError[] {
  const { loaded, errors } = loadDefinition(file, options);
  if (!loaded) return errors;
  return analyze(loaded, options).errors;
}

/** Thrown by compileWorkflow for an invalid definition. */
export class DefinitionErrors extends Error {
  readonly code = 'InvalidDefinition';
  constructor(readonly errors: DefinitionError[]) {
    super(`The workflow definition is invalid: ${errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; ')}`);
    this.name = 'DefinitionErrors';
  }
}

/** Compiles a valid definition once (all expressions parsed, graph built) for many runs. */
export function compileWorkflow(file: unknown, options?: CompileOptions & LoadOptions): Workflow {
  const { loaded, errors } = loadDefinition(file, options);
  if (!loaded) throw new DefinitionErrors(errors);
  const r = analyze(loaded, options);
  if (!r.workflow) throw new DefinitionErrors(r.errors);
  return r.workflow;
}

/** Whether the definition has a Response action (without one, a Request caller gets 202 at once). */
export const hasResponseAction = (workflow: Workflow): boolean => workflow.hasResponse;

/** The EffectResult a host gives for an effect it has no handler for (e.g. a connector not installed). */
export function unsupportedEffect(actionType: string): {
  status: 'Failed';
  error: { code: string; message: string };
  retryable: false;
} {
  return {
    status: 'Failed',
    error: {
      code: 'NoHostForAction',
      message: `No connector or host handler is installed for actions of type ${actionType}.`,
    },
    retryable: false,
  };
}
