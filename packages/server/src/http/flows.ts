/** The flows API: create, list, read, new versions, versions, delete, enable/disable, keys. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadDefinition, SECURED_VALUE, validateDefinition } from '@flowbridge/engine';
import type { Flow, FlowKind, FlowState, FlowVersion } from '../store/index.js';
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import { secureParameterNames } from '../store/sealed-store.js';
import { newAccessKey } from '../host/signing.js';
import { isRecord } from '../host/workflows.js';
import { audit } from '../auth/audit.js';
import { ApiError } from '../util/api-errors.js';
import { requirePermission, principalOf, type RouteContext } from './context.js';
import { afterFlowSaved, problemError, problemJson } from './flow-lifecycle.js';
import { definitionMatches, triggerFilterOf, type TriggerFilter } from './trigger-filter.js';
import { flowReferences } from '../connector-host/flow-connections.js';
import { runJson } from './runs.js';

export function flowJson(flow: Flow, version?: FlowVersion): Record<string, unknown> {
  return {
    id: flow.id,
    name: flow.name,
    environmentId: flow.environmentId,
    ownerId: flow.ownerId,
    state: flow.state,
    kind: flow.kind,
    version: flow.currentVersion,
    createdAt: new Date(flow.createdAt).toISOString(),
    updatedAt: new Date(flow.updatedAt).toISOString(),
    ...(version ? { definition: version.definition, parameters: parametersView(version) } : {}),
  };
}

/** A version's parameter values as the API shows them: securestring / secureobject values never. */
function parametersView(v: FlowVersion): unknown {
  const secure = secureParameterNames(v.definition);
  if (!isRecord(v.parameters) || secure.size === 0) return v.parameters ?? {};
  return Object.fromEntries(
    Object.entries(v.parameters).map(([k, value]) => [k, secure.has(k.toLowerCase()) ? SECURED_VALUE : value]),
  );
}

export function versionJson(v: FlowVersion): Record<string, unknown> {
  return {
    version: v.version,
    createdAt: new Date(v.createdAt).toISOString(),
    createdBy: v.createdBy,
    definition: v.definition,
    parameters: parametersView(v),
  };
}

/** The flow, or 404 (deleted flows included: they are gone for the API). */
export async function flowOr404(ctx: RouteContext, id: string): Promise<Flow> {
  const flow = await ctx.store.getFlow(id);
  if (!flow) throw new ApiError(404, 'NotFound', `Flow '${id}' does not exist.`, id);
  return flow;
}

export interface FlowBody {
  name?: unknown;
  definition?: unknown;
  kind?: unknown;
  state?: unknown;
  parameters?: unknown;
  environmentId?: unknown;
  /** An ARM parameters file for a definition given as an ARM deployment template. */
  armParameters?: unknown;
}

export function checkDefinition(body: FlowBody): {
  kind?: FlowKind;
  parameters?: Record<string, unknown>;
  definition: unknown;
} {
  if (body.definition === undefined)
    throw new ApiError(400, 'InvalidRequest', "'definition' is required.", 'definition');
  if (body.parameters !== undefined && !isRecord(body.parameters))
    throw new ApiError(400, 'InvalidRequest', "'parameters' must be an object.", 'parameters');
  const parameters = body.parameters as Record<string, unknown> | undefined;
  const arm = body.armParameters !== undefined ? { armParameters: body.armParameters } : {};
  const errors = validateDefinition(body.definition, { ...arm, ...(parameters ? { parameters } : {}) });
  if (errors.length > 0) {
    throw new ApiError(
      400,
      'InvalidDefinition',
      `The definition has ${errors.length} error(s): ${errors[0]!.message}`,
      `definition${errors[0]!.pointer}`,
      errors,
    );
  }
  const loaded = loadDefinition(body.definition, arm).loaded;
  return {
    // An evaluated ARM template is stored as its result: evaluating it again could differ.
    definition: loaded?.armEvaluated ? loaded.definition : body.definition,
    ...(loaded?.kind ? { kind: loaded.kind } : {}),
    ...(loaded?.armEvaluated
      ? { parameters: { ...loaded.parameterValues, ...parameters } }
      : parameters
        ? { parameters }
        : loaded?.parameterValues
          ? { parameters: loaded.parameterValues }
          : {}),
  };
}

/**
 * A flow read from the API shows secure parameter values as the secured mask; saved back as read,
 * the mask means "unchanged": the current version's value is kept, not replaced by the mask.
 */
async function keepSecuredValues(ctx: RouteContext, flow: Flow, body: FlowBody): Promise<void> {
  if (!isRecord(body.parameters) || !Object.values(body.parameters).includes(SECURED_VALUE)) return;
  const current = await ctx.store.getFlowVersion(flow.id, flow.currentVersion);
  const previous = isRecord(current?.parameters) ? current.parameters : {};
  const secure = secureParameterNames(body.definition);
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body.parameters)) {
    kept[k] = v === SECURED_VALUE && secure.has(k.toLowerCase()) && k in previous ? previous[k] : v;
  }
  body.parameters = kept;
}

function enumOf<T extends string>(value: unknown, allowed: readonly T[], target: string): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => typeof value === 'string' && a.toLowerCase() === value.toLowerCase());
  if (!found) throw new ApiError(400, 'InvalidRequest', `'${target}' must be one of ${allowed.join(', ')}.`, target);
  return found;
}

/**
 * Creates a flow from a POST body (the one path: POST /api/v1/flows and a template's instantiate):
 * checks, saves, tells the flow listeners, audits; answers the created flow's JSON.
 */
export async function createFlowFrom(
  ctx: RouteContext,
  request: FastifyRequest,
  body: FlowBody & { connectionReferences?: unknown },
): Promise<Record<string, unknown>> {
  if (body.environmentId !== undefined && typeof body.environmentId !== 'string')
    throw new ApiError(400, 'InvalidRequest', "'environmentId' must be a string.", 'environmentId');
  const environmentId = body.environmentId ?? DEFAULT_ENVIRONMENT_ID;
  const principal = requirePermission(ctx, request, 'flows.write', environmentId);
  if (typeof body.name !== 'string' || !body.name.trim())
    throw new ApiError(400, 'InvalidRequest', "'name' is required.", 'name');
  const checked = checkDefinition(body);
  const kind = enumOf(body.kind, ['Stateful', 'Stateless'] as const, 'kind') ?? checked.kind ?? 'Stateful';
  const state = enumOf(body.state, ['Enabled', 'Disabled'] as const, 'state') ?? 'Enabled';
  if (!(await ctx.store.getEnvironment(environmentId)))
    throw new ApiError(400, 'InvalidRequest', `There is no environment '${environmentId}'.`, 'environmentId');
  const ownerId = principal.kind === 'user' ? principal.id : null;
  const created = await ctx.store.createFlow({
    environmentId,
    name: body.name.trim(),
    ownerId,
    state,
    kind,
    accessKey: newAccessKey(),
    definition: checked.definition,
    ...(checked.parameters ? { parameters: checked.parameters } : {}),
    createdBy: principal.id,
  });
  const { version } = created;
  const { flow, problem } = await afterFlowSaved(ctx, created.flow, body);
  await audit(ctx.store, principal, 'flow.create', `flow:${flow.id}`, { name: flow.name, environmentId, kind, state });
  return { ...flowJson(flow, version), ...problemJson(problem) };
}

export function flowRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/v1/flows', async (request: FastifyRequest<{ Body: FlowBody }>, reply) => {
    const body = isRecord(request.body) ? (request.body as FlowBody) : {};
    return reply.status(201).send(await createFlowFrom(ctx, request, body));
  });

  app.get('/api/v1/flows', async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const principal = principalOf(request);
    const { environmentId } = request.query;
    if (environmentId !== undefined && typeof environmentId !== 'string')
      throw new ApiError(400, 'InvalidRequest', "'environmentId' must be a string.", 'environmentId');
    const filter = triggerFilterOf(request.query);
    const flows = (await ctx.store.listFlows(environmentId ? { environmentId } : {})).filter((f) =>
      ctx.auth.authorize(principal, 'flows.read', f.environmentId),
    );
    const shown = filter ? await filterAsync(flows, (f) => flowTriggerMatches(ctx, f, filter)) : flows;
    const expand = expandOf(request.query.expand);
    if (!expand.size) return { value: shown.map((f) => flowJson(f)) };
    const mayReadRuns = (f: Flow) => ctx.auth.authorize(principal, 'runs.read', f.environmentId);
    return {
      value: await Promise.all(
        shown.map(async (f) => ({ ...flowJson(f), ...(await expanded(ctx, f, expand, mayReadRuns(f))) })),
      ),
    };
  });

  app.get('/api/v1/flows/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const flow = await flowOr404(ctx, request.params.id);
    requirePermission(ctx, request, 'flows.read', flow.environmentId);
    const version = await ctx.store.getFlowVersion(flow.id, flow.currentVersion);
    return flowJson(flow, version);
  });

  app.put(
    '/api/v1/flows/:id',
    async (request: FastifyRequest<{ Params: { id: string }; Body: FlowBody & { expectedVersion?: unknown } }>) => {
      let flow = await flowOr404(ctx, request.params.id);
      const principal = requirePermission(ctx, request, 'flows.write', flow.environmentId);
      const body = isRecord(request.body) ? (request.body as FlowBody & { expectedVersion?: unknown }) : {};
      await keepSecuredValues(ctx, flow, body);
      // Everything is checked before anything is saved: a 400 leaves the flow as it was.
      const checked = checkDefinition(body);
      const kind = enumOf(body.kind, ['Stateful', 'Stateless'] as const, 'kind');
      const state = enumOf(body.state, ['Enabled', 'Disabled'] as const, 'state');
      const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim() : undefined;
      if (body.expectedVersion !== undefined && typeof body.expectedVersion !== 'number')
        throw new ApiError(400, 'InvalidRequest', "'expectedVersion' must be a number.", 'expectedVersion');
      const version = await ctx.store.saveFlowVersion(flow.id, {
        definition: checked.definition,
        ...(checked.parameters ? { parameters: checked.parameters } : {}),
        createdBy: principal.id,
        ...(typeof body.expectedVersion === 'number' ? { expectedVersion: body.expectedVersion } : {}),
      });
      if (kind || state || name) {
        flow = await ctx.store.updateFlow(flow.id, {
          ...(kind ? { kind } : {}),
          ...(state ? { state } : {}),
          ...(name ? { name } : {}),
        });
      } else {
        flow = await flowOr404(ctx, flow.id);
      }
      const saved = await afterFlowSaved(ctx, flow, body);
      flow = saved.flow;
      await audit(ctx.store, principal, 'flow.update', `flow:${flow.id}`, {
        version: version.version,
        ...(kind ? { kind } : {}),
        ...(state ? { state } : {}),
        ...(name ? { name } : {}),
      });
      return { ...flowJson(flow, version), ...problemJson(saved.problem) };
    },
  );

  app.get('/api/v1/flows/:id/versions', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const flow = await flowOr404(ctx, request.params.id);
    requirePermission(ctx, request, 'flows.read', flow.environmentId);
    return { value: (await ctx.store.listFlowVersions(flow.id)).map(versionJson) };
  });

  app.get(
    '/api/v1/flows/:id/versions/:version',
    async (request: FastifyRequest<{ Params: { id: string; version: string } }>) => {
      const flow = await flowOr404(ctx, request.params.id);
      requirePermission(ctx, request, 'flows.read', flow.environmentId);
      const number = Number(request.params.version);
      if (!/^\d+$/.test(request.params.version) || !Number.isSafeInteger(number) || number < 1)
        throw new ApiError(400, 'InvalidRequest', 'The version must be a whole number from 1.', 'version');
      const version = await ctx.store.getFlowVersion(flow.id, number);
      if (!version) throw new ApiError(404, 'NotFound', `Flow '${flow.id}' has no version ${number}.`, 'version');
      return versionJson(version);
    },
  );

  app.delete('/api/v1/flows/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const flow = await flowOr404(ctx, request.params.id);
    const principal = requirePermission(ctx, request, 'flows.write', flow.environmentId);
    await ctx.store.deleteFlow(flow.id);
    await ctx.flowLifecycle?.flowDeleted?.(flow);
    await audit(ctx.store, principal, 'flow.delete', `flow:${flow.id}`, { name: flow.name });
    return reply.status(204).send();
  });

  const setState = (state: FlowState) => async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const flow = await flowOr404(ctx, request.params.id);
    const principal = requirePermission(ctx, request, 'flows.write', flow.environmentId);
    const saved = await afterFlowSaved(ctx, await ctx.store.updateFlow(flow.id, { state }));
    if (saved.problem) throw problemError(saved.problem);
    await audit(ctx.store, principal, state === 'Enabled' ? 'flow.enable' : 'flow.disable', `flow:${flow.id}`);
    return flowJson(saved.flow);
  };
  app.post('/api/v1/flows/:id/enable', setState('Enabled'));
  app.post('/api/v1/flows/:id/disable', setState('Disabled'));

  app.post('/api/v1/flows/:id/regenerateAccessKey', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const flow = await flowOr404(ctx, request.params.id);
    const principal = requirePermission(ctx, request, 'flows.write', flow.environmentId);
    // A new key invalidates every callback URL handed out before (spec §4.1).
    const updated = await afterFlowSaved(ctx, await ctx.store.updateFlow(flow.id, { accessKey: newAccessKey() }));
    await audit(ctx.store, principal, 'flow.regenerateAccessKey', `flow:${flow.id}`);
    return { ...flowJson(updated.flow), ...problemJson(updated.problem) };
  });
}

/** Whether the flow's current version has a trigger the filter matches (its references resolved to connectors). */
async function flowTriggerMatches(ctx: RouteContext, flow: Flow, filter: TriggerFilter): Promise<boolean> {
  const version = await ctx.store.getFlowVersion(flow.id, flow.currentVersion);
  if (!version) return false;
  let refs: Record<string, string> | undefined;
  return definitionMatches(
    version.definition,
    async (reference) => {
      refs ??= await flowReferences(ctx.store, flow);
      const connection = await ctx.store.getConnection(flow.environmentId, refs[reference] ?? reference);
      return connection?.connectorName;
    },
    filter,
  );
}

/** What a flow list item may add (`expand=trigger,lastRun`): a list page draws its rows from one answer. */
const EXPANDABLE = new Set(['trigger', 'lastRun']);

/** `expand`'s known names (a comma list, as the runs API's; unknown ones are ignored, as there). */
function expandOf(value: unknown): Set<string> {
  if (value === undefined) return new Set();
  if (typeof value !== 'string') throw new ApiError(400, 'InvalidRequest', "'expand' must be a string.", 'expand');
  return new Set(
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => EXPANDABLE.has(name)),
  );
}

/**
 * A list item's expansions: its current definition's first trigger (name, type, kind) and its
 * latest run (null when it never ran, absent when the caller may not read its runs).
 */
async function expanded(
  ctx: RouteContext,
  flow: Flow,
  expand: Set<string>,
  mayReadRuns: boolean,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (expand.has('trigger')) {
    const version = await ctx.store.getFlowVersion(flow.id, flow.currentVersion);
    const triggers = isRecord(version?.definition) ? version.definition.triggers : undefined;
    const [name, trigger] = isRecord(triggers) ? (Object.entries(triggers)[0] ?? []) : [];
    out.trigger =
      name === undefined || !isRecord(trigger)
        ? null
        : { name, type: String(trigger.type ?? ''), kind: typeof trigger.kind === 'string' ? trigger.kind : null };
  }
  if (expand.has('lastRun') && mayReadRuns) {
    const [run] = (await ctx.store.listRuns({ flowId: flow.id, limit: 1 })).items;
    out.lastRun = run ? runJson(run) : null;
  }
  return out;
}

async function filterAsync<T>(items: readonly T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept = await Promise.all(items.map(keep));
  return items.filter((_, i) => kept[i]);
}
