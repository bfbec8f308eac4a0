/**
 * Runs one workflow definition (any wrapper form) to its end in this process: compiles it with
 * the engine, builds the trigger outputs, and drives the run with the local host. Child
 * workflows (the Workflow action) are looked up as files next to the parent and run the same way.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compileWorkflow, loadDefinition, Run, validateDefinition } from '@flowbridge/engine';
import type { DefinitionError, RunResult } from '@flowbridge/engine';
import type { ChildWorkflowOutcome, WorkflowResolver } from '../effects/workflow.js';
import type { EffectExecutorOptions } from '../effects/index.js';
import { runLocally, type LocalHostOptions, type LocalRunOutcome } from './local-host.js';

export interface RunDefinitionOptions {
  /** The parsed definition file (bare or wrapped). */
  file: unknown;
  /** Where the file lives: names the workflow and anchors child-workflow lookup. Optional. */
  path?: string;
  triggerBody?: unknown;
  triggerHeaders?: Record<string, string>;
  parameters?: Record<string, unknown>;
  /** What `@appsetting('<name>')` reads (the child workflows it calls read the same). */
  appSettings?: Record<string, string>;
  host?: Omit<LocalHostOptions, 'effects'>;
  effects?: Omit<EffectExecutorOptions, 'workflowResolver'>;
  /** Child-workflow nesting so far (a cycle of children must end). */
  depth?: number;
}

export type RunDefinitionOutcome =
  { ok: false; errors: DefinitionError[] } | ({ ok: true; workflowName: string } & LocalRunOutcome<RunResult>);

const maxChildDepth = 8;

export async function runDefinition(options: RunDefinitionOptions): Promise<RunDefinitionOutcome> {
  const errors = validateDefinition(options.file, options.parameters ? { parameters: options.parameters } : undefined);
  const { loaded } = loadDefinition(options.file);
  if (errors.length > 0 || !loaded) return { ok: false, errors };
  const workflow = compileWorkflow(options.file, options.parameters ? { parameters: options.parameters } : undefined);

  const triggers = Object.entries(loaded.definition.triggers ?? {});
  const [triggerName, triggerDefinition] = triggers[0] ?? ['manual', { type: 'Request' }];
  const triggerTypeName = String((triggerDefinition as { type?: unknown } | null)?.type ?? 'Request');
  const workflowName = nameOf(options.path);
  const depth = options.depth ?? 0;

  const resolver: WorkflowResolver = async (request) => {
    if (depth + 1 > maxChildDepth) {
      return { error: { code: 'ChildWorkflowFailed', message: `Child workflows nest deeper than ${maxChildDepth}.` } };
    }
    return runChild(request.workflowId, request.body, request.headers, options, depth + 1);
  };
  const outcome = await runLocally(
    (init) => Run.start(workflow, init),
    {
      runId: randomUUID(),
      workflow: { id: workflowName, name: workflowName },
      trigger: {
        name: triggerName,
        outputs: triggerOutputs(triggerTypeName, options.triggerBody, options.triggerHeaders),
      },
      ...(options.parameters ? { parameters: options.parameters } : {}),
      ...(options.appSettings ? { appSettings: options.appSettings } : {}),
    },
    {
      ...options.host,
      effects: { ...options.effects, workflowResolver: resolver },
    },
  );
  return { ok: true, workflowName, ...outcome };
}

/** Request-like triggers hand the run {headers, body, queries}; schedules hand it nothing. */
export function triggerOutputs(type: string, body: unknown, headers: Record<string, string> = {}): unknown {
  const t = type.toLowerCase();
  const requestLike = t === 'request' || t === 'manual' || t === 'httplistener' || t.endsWith('webhook');
  if (!requestLike && body === undefined) return {};
  const outputs: Record<string, unknown> = { headers: { ...headers }, queries: {} };
  if (body !== undefined) {
    outputs.body = body;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      (outputs.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
  }
  return outputs;
}

/** The workflow name: the file name, or the folder of a Logic Apps Standard `workflow.json`. */
function nameOf(path: string | undefined): string {
  if (!path) return 'workflow';
  const file = basename(path);
  if (file.toLowerCase() === 'workflow.json') return basename(dirname(path)) || 'workflow';
  return file.replace(/\.json$/i, '') || 'workflow';
}

/**
 * A child named `id` is `<dir>/<id>.json`, or `<id>/workflow.json` beside the parent's folder
 * (the Logic Apps Standard project layout).
 */
async function runChild(
  id: string,
  body: unknown,
  headers: Record<string, string>,
  parent: RunDefinitionOptions,
  depth: number,
): Promise<ChildWorkflowOutcome> {
  if (!parent.path) return { error: { code: 'WorkflowNotFound', message: `No child workflow '${id}' is available.` } };
  const name = id.split('/').filter(Boolean).at(-1) ?? id;
  if (!/^[\w.-]+$/.test(name)) {
    return { error: { code: 'WorkflowNotFound', message: `Child workflow '${id}' does not name a file.` } };
  }
  const dir = dirname(parent.path);
  const candidates = [
    join(dir, `${name}.json`),
    join(dir, '..', name, 'workflow.json'),
    join(dir, name, 'workflow.json'),
  ];
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    let file: unknown;
    try {
      file = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      return { error: { code: 'ChildWorkflowFailed', message: `Child workflow file of '${id}' is not valid JSON.` } };
    }
    const outcome = await runDefinition({
      file,
      path: candidate,
      triggerBody: body ?? undefined,
      triggerHeaders: headers,
      ...(parent.host ? { host: { ...parent.host, mocks: new Map() } } : {}),
      ...(parent.effects ? { effects: parent.effects } : {}),
      ...(parent.appSettings ? { appSettings: parent.appSettings } : {}),
      depth,
    });
    if (!outcome.ok) {
      return {
        error: {
          code: 'ChildWorkflowFailed',
          message: `Child workflow '${id}' is invalid: ${outcome.errors.map((e) => e.message).join('; ')}`,
        },
      };
    }
    // A child without a Response accepts the call (202) and the action ends with empty outputs.
    return { response: outcome.response ?? outcome.result.response ?? { statusCode: 202, headers: {} } };
  }
  return { error: { code: 'WorkflowNotFound', message: `No child workflow '${id}' next to the parent definition.` } };
}
