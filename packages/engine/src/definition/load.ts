// Finds the bare definition inside every wrapper of spec §1.1 and remembers where it sat, so
// that validation errors point into the file exactly as the user gave it.
import type { DefinitionError, LoadedDefinition, WorkflowDefinition } from '../types.js';
import type { ArmDeployment } from './arm/functions.js';
import { importArmTemplate, isArmDeploymentTemplate } from './arm/template.js';

export interface LoadOptions {
  /**
   * For an ARM deployment template: an ARM parameters file (`{"parameters": {"x": {"value": ...}}}`)
   * whose values override the template parameters' defaultValue in its "[...]" expressions.
   */
  armParameters?: unknown;
  /** What resourceGroup() and subscription() return during an ARM import (defaults are placeholders). */
  armDeployment?: Partial<ArmDeployment>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Case-insensitive own-property read (envelope keys are matched without regard to case). */
export function getProp(obj: Obj, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function looksLikeDefinition(v: unknown): v is WorkflowDefinition {
  if (!isObj(v)) return false;
  if (isObj(getProp(v, 'triggers')) || isObj(getProp(v, 'actions'))) return true;
  const schema = getProp(v, '$schema');
  return typeof schema === 'string' && /workflowdefinition\.json/i.test(schema);
}

/** ARM `parameters: {name: {value}}` → `{name: value}`. */
function armParameterValues(params: unknown): Record<string, unknown> | undefined {
  if (!isObj(params)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (isObj(v) && 'value' in v) out[k] = v.value;
  }
  return out;
}

function fromObject(file: Obj, wrapperHint?: 'clientdata'): LoadedDefinition | undefined {
  const def = getProp(file, 'definition');
  if (looksLikeDefinition(def)) {
    const kind = getProp(file, 'kind');
    const loaded: LoadedDefinition = {
      definition: def,
      pointerPrefix: '/definition',
      wrapper: wrapperHint ?? 'standard',
    };
    if (typeof kind === 'string' && /^stateless$/i.test(kind)) loaded.kind = 'Stateless';
    else if (typeof kind === 'string' && /^stateful$/i.test(kind)) loaded.kind = 'Stateful';
    const values = armParameterValues(getProp(file, 'parameters'));
    if (values) loaded.parameterValues = values;
    return loaded;
  }
  const props = getProp(file, 'properties');
  if (isObj(props)) {
    const inner = getProp(props, 'definition');
    if (looksLikeDefinition(inner)) {
      const isPa = getProp(props, 'connectionReferences') !== undefined || getProp(file, 'schemaVersion') !== undefined;
      const loaded: LoadedDefinition = {
        definition: inner,
        pointerPrefix: '/properties/definition',
        wrapper: wrapperHint ?? (isPa ? 'powerautomate' : 'arm'),
      };
      const values = armParameterValues(getProp(props, 'parameters'));
      if (values) loaded.parameterValues = values;
      return loaded;
    }
  }
  // An ARM template holding the workflow as one of its resources.
  const resources = getProp(file, 'resources');
  if (Array.isArray(resources)) {
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      if (!isObj(r)) continue;
      const rp = getProp(r, 'properties');
      if (isObj(rp) && looksLikeDefinition(getProp(rp, 'definition'))) {
        const loaded: LoadedDefinition = {
          definition: getProp(rp, 'definition') as WorkflowDefinition,
          pointerPrefix: `/resources/${i}/properties/definition`,
          wrapper: 'arm',
        };
        const values = armParameterValues(getProp(rp, 'parameters'));
        if (values) loaded.parameterValues = values;
        return loaded;
      }
    }
  }
  const clientdata = getProp(file, 'clientdata');
  if (typeof clientdata === 'string') {
    try {
      const parsed: unknown = JSON.parse(clientdata);
      if (isObj(parsed)) {
        const inner = fromObject(parsed, 'clientdata');
        if (inner) return inner;
      }
    } catch {
      return undefined;
    }
  }
  if (looksLikeDefinition(file)) return { definition: file, pointerPrefix: '', wrapper: wrapperHint ?? 'bare' };
  return undefined;
}

/**
 * An ARM deployment template with a Microsoft.Logic/workflows resource: its template expressions
 * are evaluated (definition/arm/) and the definition is read from the evaluated properties.
 * Undefined when the template holds no such resource (the generic wrapper search takes over).
 */
function fromArmTemplate(
  file: Obj,
  options: LoadOptions,
): { loaded?: LoadedDefinition; errors: DefinitionError[] } | undefined {
  if (!isArmDeploymentTemplate(file)) return undefined;
  const imported = importArmTemplate(file, {
    ...(options.armParameters !== undefined ? { parameters: options.armParameters } : {}),
    ...(options.armDeployment ? { deployment: options.armDeployment } : {}),
  });
  if (!imported) return undefined;
  if (imported.errors.length > 0) return { errors: imported.errors };
  const definition = getProp(imported.properties, 'definition');
  if (!looksLikeDefinition(definition)) return undefined;
  const loaded: LoadedDefinition = {
    definition,
    pointerPrefix: `/resources/${imported.resourceIndex}/properties/definition`,
    wrapper: 'arm',
  };
  if (imported.evaluated > 0) loaded.armEvaluated = true;
  const values = armParameterValues(getProp(imported.properties, 'parameters'));
  if (values) loaded.parameterValues = values;
  return { loaded, errors: [] };
}

export function loadDefinition(
  file: unknown,
  options: LoadOptions = {},
): { loaded?: LoadedDefinition; errors: DefinitionError[] } {
  let value = file;
  let hint: 'clientdata' | undefined;
  if (typeof value === 'string') {
    // Dataverse keeps the PA export serialised as a string (clientdata).
    try {
      value = JSON.parse(value);
      hint = 'clientdata';
    } catch (e) {
      return {
        errors: [
          { pointer: '', code: 'InvalidJson', message: `The definition is not valid JSON: ${(e as Error).message}` },
        ],
      };
    }
  }
  if (!isObj(value)) {
    return {
      errors: [
        { pointer: '', code: 'NoDefinition', message: 'The file is not a JSON object holding a workflow definition.' },
      ],
    };
  }
  const arm = fromArmTemplate(value, options);
  if (arm) return arm;
  if (options.armParameters !== undefined) {
    return {
      errors: [
        {
          pointer: '',
          code: 'InvalidArmParameters',
          message: 'ARM parameters apply only to an ARM deployment template with a Microsoft.Logic/workflows resource.',
        },
      ],
    };
  }
  const loaded = fromObject(value, hint);
  if (!loaded) {
    return {
      errors: [
        {
          pointer: '',
          code: 'NoDefinition',
          message:
            'No workflow definition found: expected a definition object (with triggers/actions), or one wrapped in definition, properties.definition or clientdata.',
        },
      ],
    };
  }
  return { loaded, errors: [] };
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function ptr(segment: string | number): string {
  return '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}
