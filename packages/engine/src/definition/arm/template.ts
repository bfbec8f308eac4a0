// Importing a workflow from an ARM deployment template: the template's parameters (values from an
// ARM parameters file, else their defaultValue) and variables feed the "[...]" expressions in the
// Microsoft.Logic/workflows resource's properties, which are evaluated as a deployment would.
import type { DefinitionError } from '../../types.js';
import { ArmError } from './errors.js';
import { classifyArmString, evaluateArmExpression } from './evaluate.js';
import type { ArmDeployment, ArmScope } from './functions.js';
import { isObj, propOf, type Obj } from './values.js';

/** Where an import pretends to deploy (Flowbridge has no subscription); callers may override. */
export const defaultArmDeployment: ArmDeployment = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  tenantId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'flowbridge',
  location: 'local',
  deploymentName: 'flowbridge',
};

export interface ArmImportOptions {
  /** An ARM parameters file: `{"parameters": {"x": {"value": ...}}}` (or just the inner object). */
  parameters?: unknown;
  deployment?: Partial<ArmDeployment>;
}

export interface ArmImport {
  /** Index of the workflow resource in `resources`. */
  resourceIndex: number;
  /** Its `properties` with every expression evaluated (definition, parameters, ...). */
  properties: Obj;
  /** How many strings were expressions or `[[` escapes. */
  evaluated: number;
  errors: DefinitionError[];
}

const workflowType = /^microsoft\.logic\/workflows$/i;

/** A deployment template by its $schema, or by holding a Microsoft.Logic/workflows resource. */
export function isArmDeploymentTemplate(file: Obj): boolean {
  const schema = propOf(file, '$schema').value;
  if (typeof schema === 'string' && /deploymentTemplate\.json/i.test(schema)) return true;
  const resources = propOf(file, 'resources').value;
  return (
    Array.isArray(resources) && resources.some((r) => isObj(r) && workflowType.test(String(propOf(r, 'type').value)))
  );
}

/** Evaluates the first workflow resource's properties; undefined when the template has none. */
export function importArmTemplate(template: Obj, options: ArmImportOptions = {}): ArmImport | undefined {
  const resources = propOf(template, 'resources').value;
  if (!Array.isArray(resources)) return undefined;
  const resourceIndex = resources.findIndex(
    (r) =>
      isObj(r) &&
      workflowType.test(String(propOf(r, 'type').value)) &&
      isObj(propOf(r, 'properties').value) &&
      isObj(propOf(propOf(r, 'properties').value as Obj, 'definition').value),
  );
  if (resourceIndex < 0) return undefined;
  const errors: DefinitionError[] = [];
  const values = parameterFileValues(options.parameters);
  if ('error' in values) return { resourceIndex, properties: {}, evaluated: 0, errors: [values.error] };

  const deployment = { ...defaultArmDeployment, ...options.deployment };
  const declared = propOf(template, 'parameters').value;
  const variables = propOf(template, 'variables').value;
  const cache = new Map<string, unknown>();
  const inProgress = new Set<string>();
  let evaluated = 0;

  /** Resolves a parameter default or a variable once, by its own pointer, refusing cycles. */
  const resolveOnce = (key: string, pointer: string, value: unknown): unknown => {
    if (cache.has(key)) return cache.get(key);
    if (inProgress.has(key))
      throw new ArmError('InvalidArmExpression', `${key.replace(':', " '")}' refers to itself (a cycle).`);
    inProgress.add(key);
    try {
      const result = deepEvaluate(value, pointer, true);
      cache.set(key, result);
      return result;
    } finally {
      inProgress.delete(key);
    }
  };

  const scope: ArmScope = {
    deployment,
    parameter(name) {
      const given = propOf(values.values, name);
      const declaration = isObj(declared) ? propOf(declared, name) : { found: false };
      if (!declaration.found)
        throw new ArmError('InvalidArmExpression', `The template declares no parameter '${name}'.`);
      if (given.found) return given.value;
      const decl = declaration.value;
      const fallback = isObj(decl) ? propOf(decl, 'defaultValue') : { found: false };
      if (!fallback.found)
        throw new ArmError(
          'ArmParameterMissing',
          `The template parameter '${name}' has no value in the ARM parameters file and no defaultValue.`,
        );
      return resolveOnce(`parameter:${name.toLowerCase()}`, `/parameters/${escape(name)}/defaultValue`, fallback.value);
    },
    variable(name) {
      const found = isObj(variables) ? propOf(variables, name) : { found: false };
      if (!found.found) throw new ArmError('InvalidArmExpression', `The template declares no variable '${name}'.`);
      return resolveOnce(`variable:${name.toLowerCase()}`, `/variables/${escape(name)}`, found.value);
    },
  };

  /** Replaces every expression string in `value`; `strict` rethrows (inside a variable) instead of collecting. */
  const deepEvaluate = (value: unknown, pointer: string, strict: boolean): unknown => {
    if (typeof value === 'string') {
      const kind = classifyArmString(value);
      if (!kind) return value;
      evaluated++;
      if ('literal' in kind) return kind.literal;
      try {
        return evaluateArmExpression(kind.expression, scope);
      } catch (error) {
        if (!(error instanceof ArmError)) throw error;
        if (error.pointer === undefined) {
          error.pointer = pointer;
          error.message += ` In: ${value}`;
        }
        if (strict) throw error;
        // A failing variable fails every expression that reads it: report it once.
        if (!errors.some((e) => e.pointer === error.pointer && e.code === error.code))
          errors.push({ pointer: error.pointer, code: error.code, message: error.message });
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v, i) => deepEvaluate(v, `${pointer}/${i}`, strict));
    if (isObj(value)) {
      const out: Obj = {};
      for (const [k, v] of Object.entries(value)) out[k] = deepEvaluate(v, `${pointer}/${escape(k)}`, strict);
      return out;
    }
    return value;
  };

  const resource = resources[resourceIndex] as Obj;
  const properties = deepEvaluate(
    propOf(resource, 'properties').value,
    `/resources/${resourceIndex}/properties`,
    false,
  );
  return { resourceIndex, properties: properties as Obj, evaluated, errors };
}

/** `{"parameters": {"x": {"value": v}}}` or `{"x": {"value": v}}` → `{x: v}`. */
function parameterFileValues(file: unknown): { values: Obj } | { error: DefinitionError } {
  if (file === undefined || file === null) return { values: {} };
  const bad = (message: string): { error: DefinitionError } => ({
    error: { pointer: '', code: 'InvalidArmParameters', message: `ARM parameters: ${message}` },
  });
  if (!isObj(file)) return bad('the file must be a JSON object.');
  const inner = propOf(file, 'parameters');
  const entries = inner.found ? inner.value : file;
  if (!isObj(entries)) return bad("'parameters' must be an object.");
  const values: Obj = {};
  for (const [name, entry] of Object.entries(entries)) {
    if (isObj(entry) && propOf(entry, 'reference').found)
      return bad(`'${name}' is a Key Vault reference, which an import cannot resolve; give its value.`);
    const value = isObj(entry) ? propOf(entry, 'value') : { found: false };
    if (!value.found) return bad(`'${name}' must be an object with a 'value'.`);
    values[name] = value.value;
  }
  return { values };
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
