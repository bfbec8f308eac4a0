// The shared corpus keeps only the definition cut out of each ARM deployment template (and the
// workflow resource's properties.parameters, as the manifest's wrapperParameters). For the corpus
// test, an ARM-packaged definition is put back into a template so it is imported as it arrived.
// The template's own parameters and variables were not kept: each one the expressions name is
// declared with a placeholder: an object when the expressions read properties of it, the type
// of the workflow parameter it is given to, else its own name.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyArmString } from '../definition/arm/evaluate.js';
import { parseArmExpression, type ArmNode } from '../definition/arm/parse.js';

interface ManifestEntry {
  file: string;
  jsonPath: string;
  wrapperParameters?: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a definition sat in its source file when it was an ARM workflow resource's. */
const ARM_PACKAGED = /^resources\/\d+\/(.+\/)?properties\/definition$/;

/** The manifest entries of ARM-packaged definitions, by corpus file. */
export function armPackaged(root: string): Map<string, ManifestEntry> {
  const path = join(root, 'MANIFEST.json');
  if (!existsSync(path)) return new Map();
  const entries = (JSON.parse(readFileSync(path, 'utf8')) as { entries: ManifestEntry[] }).entries;
  return new Map(entries.filter((e) => ARM_PACKAGED.test(e.jsonPath)).map((e) => [e.file, e]));
}

/** A corpus file as it arrived: ARM-packaged ones back in a deployment template. */
export function asArrived(file: string, definition: unknown, arm: Map<string, ManifestEntry>): unknown {
  const entry = arm.get(file);
  if (!entry) return definition;
  const placeholders = { parameters: new Map<string, unknown>(), variables: new Map<string, unknown>() };
  collect([definition, entry.wrapperParameters], placeholders);
  typedByWorkflowParameters(definition, entry.wrapperParameters, placeholders.parameters);
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: Object.fromEntries([...placeholders.parameters].map(([n, v]) => [n, { defaultValue: v }])),
    variables: Object.fromEntries(placeholders.variables),
    resources: [
      {
        type: 'Microsoft.Logic/workflows',
        name: 'corpus',
        properties: {
          definition,
          ...(entry.wrapperParameters !== undefined ? { parameters: entry.wrapperParameters } : {}),
        },
      },
    ],
  };
}

type Placeholders = { parameters: Map<string, unknown>; variables: Map<string, unknown> };

function collect(value: unknown, into: Placeholders): void {
  if (typeof value === 'string') {
    const kind = classifyArmString(value);
    if (kind && 'expression' in kind) {
      try {
        visit(parseArmExpression(kind.expression), into);
      } catch {
        // A malformed expression is reported by the import itself.
      }
    }
  } else if (Array.isArray(value)) value.forEach((v) => collect(v, into));
  else if (isObj(value)) Object.values(value).forEach((v) => collect(v, into));
}

function visit(node: ArmNode, into: Placeholders): void {
  // parameters('x').a.b: x needs to be an object with a.b.
  const path: string[] = [];
  let base = node;
  for (;;) {
    if (base.kind === 'property') path.unshift(base.name);
    else if (base.kind === 'index' && base.index.kind === 'literal') path.unshift(String(base.index.value));
    else break;
    base = base.target;
  }
  if (base.kind === 'call') {
    const kind = base.name.toLowerCase();
    const [first] = base.args;
    if ((kind === 'parameters' || kind === 'variables') && first?.kind === 'literal') {
      const name = String(first.value);
      into[kind].set(name, shaped(into[kind].get(name), path, name));
    }
    base.args.forEach((a) => visit(a, into));
  } else if (base.kind === 'index') {
    visit(base.target, into);
    visit(base.index, into);
  }
}

function shaped(existing: unknown, path: string[], label: string): unknown {
  if (path.length === 0) return existing ?? label;
  const [head, ...rest] = path as [string, ...string[]];
  const object: Obj = isObj(existing) ? existing : {};
  object[head] = shaped(object[head], rest, `${label}.${head}`);
  return object;
}

/** `"p": {"value": "[parameters('x')]"}` for a workflow parameter of type Int: x is an int. */
function typedByWorkflowParameters(definition: unknown, wrapper: unknown, parameters: Map<string, unknown>): void {
  const declared = isObj(definition) && isObj(definition.parameters) ? definition.parameters : {};
  if (!isObj(wrapper)) return;
  for (const [name, entry] of Object.entries(wrapper)) {
    const given = isObj(entry) ? entry.value : undefined;
    const match = typeof given === 'string' ? /^\[parameters\('([^']+)'\)\]$/i.exec(given) : null;
    const type = isObj(declared[name]) ? String((declared[name] as Obj).type ?? '').toLowerCase() : '';
    const sample: Record<string, unknown> = { int: 0, float: 0, bool: false, array: [], object: {} };
    if (match && type in sample) parameters.set(match[1]!, sample[type]);
  }
}
