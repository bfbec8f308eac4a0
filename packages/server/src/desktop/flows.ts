/**
 * Desktop flows: a script in one of the LANGUAGES with an input and an output JSON schema, kept per
 * environment with versions (a session runs the version that was current when it was queued).
 */
import { randomUUID } from 'node:crypto';
import type { DesktopFlow, DesktopFlowVersion, DesktopLanguage, Store } from '../store/index.js';
import { DesktopError } from './errors.js';
import { ioSchemaOf, isRecord, numberOf, optionalString } from './requests.js';

export const LANGUAGES: readonly DesktopLanguage[] = ['bash', 'sh', 'powershell', 'python', 'node'];
const MAX_SCRIPT_CHARS = 1_000_000;

function languageOf(value: unknown): DesktopLanguage {
  const found = LANGUAGES.find((l) => typeof value === 'string' && l === value.toLowerCase());
  if (!found)
    throw new DesktopError('InvalidRequest', `'language' must be one of ${LANGUAGES.join(', ')}.`, 'language');
  return found;
}

function scriptOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new DesktopError('InvalidRequest', "'script' is required.", 'script');
  if (value.length > MAX_SCRIPT_CHARS) throw new DesktopError('InvalidRequest', "'script' is too long.", 'script');
  return value;
}

function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
    throw new DesktopError('InvalidRequest', "'name' is required (at most 200 characters).", 'name');
  }
  return value.trim();
}

export function bodyOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (!isRecord(body)) throw new DesktopError('InvalidRequest', 'The request body must be a JSON object.', 'body');
  return body;
}

export async function createDesktopFlow(
  store: Store,
  body: Record<string, unknown>,
  environmentId: string,
  createdBy: string | null,
): Promise<{ flow: DesktopFlow; version: DesktopFlowVersion }> {
  return store.desktop.createDesktopFlow({
    id: randomUUID(),
    environmentId,
    name: nameOf(body.name),
    ownerId: createdBy,
    version: {
      language: languageOf(body.language),
      script: scriptOf(body.script),
      inputs: ioSchemaOf(body.inputs, 'inputs'),
      outputs: ioSchemaOf(body.outputs, 'outputs'),
      createdBy,
    },
  });
}

/** PUT: a new version; fields left out keep their current value. */
export async function saveDesktopFlow(
  store: Store,
  flow: DesktopFlow,
  body: Record<string, unknown>,
  createdBy: string | null,
): Promise<{ flow: DesktopFlow; version: DesktopFlowVersion }> {
  const current = await store.desktop.getDesktopFlowVersion(flow.id);
  if (!current) throw new DesktopError('NotFound', `Desktop flow '${flow.id}' does not exist.`, flow.id);
  const expectedVersion = numberOf(body.expectedVersion, 'expectedVersion');
  const name = optionalString(body.name, 'name');
  return store.desktop.saveDesktopFlowVersion(
    flow.id,
    {
      language: body.language === undefined ? current.language : languageOf(body.language),
      script: body.script === undefined ? current.script : scriptOf(body.script),
      inputs: body.inputs === undefined ? current.inputs : ioSchemaOf(body.inputs, 'inputs'),
      outputs: body.outputs === undefined ? current.outputs : ioSchemaOf(body.outputs, 'outputs'),
      createdBy,
    },
    {
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      ...(name !== undefined ? { name: nameOf(name) } : {}),
    },
  );
}

export function desktopFlowView(flow: DesktopFlow, version?: DesktopFlowVersion): Record<string, unknown> {
  return {
    id: flow.id,
    name: flow.name,
    environmentId: flow.environmentId,
    ownerId: flow.ownerId,
    version: flow.currentVersion,
    createdAt: new Date(flow.createdAt).toISOString(),
    updatedAt: new Date(flow.updatedAt).toISOString(),
    ...(version ? versionFields(version) : {}),
  };
}

export function versionFields(v: DesktopFlowVersion): Record<string, unknown> {
  return { language: v.language, script: v.script, inputs: v.inputs, outputs: v.outputs };
}

export function versionView(v: DesktopFlowVersion): Record<string, unknown> {
  return {
    version: v.version,
    createdAt: new Date(v.createdAt).toISOString(),
    createdBy: v.createdBy,
    ...versionFields(v),
  };
}
