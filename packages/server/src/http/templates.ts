/**
 * The templates API (issue #17): flow templates a host application offers its users. A template is
 * a definition with the connection references it needs (reference → connector name), default
 * parameter values and tags; instantiating one with a connection for each reference creates a flow
 * through the flows API's own creation path (createFlowFrom). Templates belong to an environment and
 * need flows.read / flows.write there, as flows do.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isRecord } from '@flowbridge/engine';
import { audit } from '../auth/audit.js';
import { isBuiltIn, referencedNames, triggerUses } from '../connector-host/references.js';
import type { TemplateInput, TemplateRecord, TemplateReference } from '../store/index.js';
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import { secureParameterNames } from '../store/sealed-store.js';
import { ApiError } from '../util/api-errors.js';
import { principalOf, requirePermission, type RouteContext } from './context.js';
import { checkDefinition, createFlowFrom } from './flows.js';
import { definitionMatches, triggerFilterOf } from './trigger-filter.js';

export function templateJson(t: TemplateRecord): Record<string, unknown> {
  const [use] = triggerUses(t.definition);
  return {
    id: t.id,
    environmentId: t.environmentId,
    name: t.name,
    description: t.description,
    definition: t.definition,
    connectionReferences: t.connectionReferences,
    parameters: t.parameters,
    tags: t.tags,
    // What its trigger uses: what GET /api/v1/templates?connector=&triggerOperation= match.
    trigger: use
      ? {
          name: use.triggerName,
          connectorName: (use.referenceName && t.connectionReferences[use.referenceName]?.connectorName) ?? null,
          operationId: use.operationId ?? null,
        }
      : null,
    createdBy: t.createdBy,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
}

const refPointer = (ref: string): string => `/connectionReferences/${ref.replace(/~/g, '~0').replace(/\//g, '~1')}`;

const invalid = (message: string, target: string): ApiError => new ApiError(400, 'InvalidRequest', message, target);

function optionalText(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(`'${name}' must be a string.`, name);
  return value;
}

/** A POST/PUT body checked: everything a template is, or a coded 400 naming the place. */
function checkTemplate(body: Record<string, unknown>): Omit<TemplateInput, 'environmentId' | 'createdBy'> {
  if (typeof body.name !== 'string' || !body.name.trim()) throw invalid("'name' is required.", 'name');
  const checked = checkDefinition(body);
  const references: Record<string, TemplateReference> = {};
  if (body.connectionReferences !== undefined && !isRecord(body.connectionReferences))
    throw invalid("'connectionReferences' must be an object.", 'connectionReferences');
  for (const [ref, value] of Object.entries(body.connectionReferences ?? {})) {
    const connectorName = isRecord(value) ? value.connectorName : undefined;
    if (typeof connectorName !== 'string' || connectorName === '')
      throw invalid(`Connection reference '${ref}' needs a 'connectorName'.`, `${refPointer(ref)}/connectorName`);
    references[ref] = { connectorName };
  }
  for (const ref of referencedNames(checked.definition)) {
    if (!references[ref] && !isBuiltIn(ref, {}))
      throw new ApiError(
        400,
        'InvalidConnectionReference',
        `The definition uses connection reference '${ref}': declare its connector in 'connectionReferences'.`,
        refPointer(ref),
      );
  }
  // Secure parameter values are given when a flow is made from it, never kept in a template.
  const parameters = checked.parameters ?? {};
  const secure = secureParameterNames(checked.definition);
  for (const name of Object.keys(parameters))
    if (secure.has(name.toLowerCase()))
      throw invalid(`'${name}' is a secure parameter: give its value when instantiating.`, `/parameters/${name}`);
  const tags = body.tags ?? [];
  if (!Array.isArray(tags)) throw invalid("'tags' must be an array of strings.", 'tags');
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string' || tag === '') throw invalid('A tag must be a non-empty string.', `/tags/${i}`);
  });
  return {
    name: body.name.trim(),
    description: optionalText(body, 'description'),
    definition: checked.definition,
    connectionReferences: references,
    parameters,
    tags: tags as string[],
  };
}

async function templateOr404(ctx: RouteContext, id: string): Promise<TemplateRecord> {
  const found = await ctx.store.getTemplate(id);
  if (!found) throw new ApiError(404, 'NotFound', `Template '${id}' does not exist.`, id);
  return found;
}

type Id = { Params: { id: string } };

/**
 * The connection each of the template's references is given (a name, or `{connectionName}`), checked:
 * it exists in the environment and is of the reference's connector.
 */
async function connectionsFor(
  ctx: RouteContext,
  template: TemplateRecord,
  environmentId: string,
  given: unknown,
): Promise<Record<string, { connectionName: string }>> {
  if (given !== undefined && !isRecord(given))
    throw invalid("'connectionReferences' must be an object.", 'connectionReferences');
  const byRef = given ?? {};
  for (const ref of Object.keys(byRef))
    if (!template.connectionReferences[ref])
      throw invalid(`The template has no connection reference '${ref}'.`, refPointer(ref));
  const out: Record<string, { connectionName: string }> = {};
  for (const [ref, { connectorName }] of Object.entries(template.connectionReferences)) {
    const value = byRef[ref];
    const name = isRecord(value) ? value.connectionName : value;
    const fail = (message: string) => new ApiError(400, 'InvalidConnectionReference', message, refPointer(ref));
    if (typeof name !== 'string' || name === '')
      throw fail(`Connection reference '${ref}' needs a connection of connector '${connectorName}'.`);
    const connection = await ctx.store.getConnection(environmentId, name);
    if (!connection) throw fail(`There is no connection '${name}' in environment '${environmentId}'.`);
    if (connection.connectorName.toLowerCase() !== connectorName.toLowerCase())
      throw fail(`Connection '${name}' is of connector '${connection.connectorName}', not '${connectorName}'.`);
    out[ref] = { connectionName: name };
  }
  return out;
}

export function templateRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/v1/templates', async (request, reply) => {
    const body = isRecord(request.body) ? request.body : {};
    if (body.environmentId !== undefined && typeof body.environmentId !== 'string')
      throw invalid("'environmentId' must be a string.", 'environmentId');
    const environmentId = body.environmentId ?? DEFAULT_ENVIRONMENT_ID;
    const principal = requirePermission(ctx, request, 'flows.write', environmentId);
    const checked = checkTemplate(body);
    if (!(await ctx.store.getEnvironment(environmentId)))
      throw invalid(`There is no environment '${environmentId}'.`, 'environmentId');
    const made = await ctx.store.createTemplate({ ...checked, environmentId, createdBy: principal.id });
    await audit(ctx.store, principal, 'template.create', `template:${made.id}`, { name: made.name, environmentId });
    return reply.status(201).send(templateJson(made));
  });

  app.get('/api/v1/templates', async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const principal = principalOf(request);
    const { environmentId, tag } = request.query;
    if (environmentId !== undefined && typeof environmentId !== 'string')
      throw invalid("'environmentId' must be a string.", 'environmentId');
    if (tag !== undefined && typeof tag !== 'string') throw invalid("'tag' must be a string.", 'tag');
    const filter = triggerFilterOf(request.query);
    const shown: TemplateRecord[] = [];
    for (const t of await ctx.store.listTemplates(environmentId ? { environmentId } : {})) {
      if (!ctx.auth.authorize(principal, 'flows.read', t.environmentId)) continue;
      if (tag !== undefined && !t.tags.some((x) => x.toLowerCase() === tag.toLowerCase())) continue;
      if (
        filter &&
        !(await definitionMatches(t.definition, (ref) => t.connectionReferences[ref]?.connectorName, filter))
      )
        continue;
      shown.push(t);
    }
    return { value: shown.map(templateJson) };
  });

  app.get('/api/v1/templates/:id', async (request: FastifyRequest<Id>) => {
    const template = await templateOr404(ctx, request.params.id);
    requirePermission(ctx, request, 'flows.read', template.environmentId);
    return templateJson(template);
  });

  app.put('/api/v1/templates/:id', async (request: FastifyRequest<Id>) => {
    const template = await templateOr404(ctx, request.params.id);
    const principal = requirePermission(ctx, request, 'flows.write', template.environmentId);
    const checked = checkTemplate(isRecord(request.body) ? request.body : {});
    const saved = await ctx.store.updateTemplate(template.id, checked);
    await audit(ctx.store, principal, 'template.update', `template:${saved.id}`, { name: saved.name });
    return templateJson(saved);
  });

  app.delete('/api/v1/templates/:id', async (request: FastifyRequest<Id>, reply) => {
    const template = await templateOr404(ctx, request.params.id);
    const principal = requirePermission(ctx, request, 'flows.write', template.environmentId);
    await ctx.store.deleteTemplate(template.id);
    await audit(ctx.store, principal, 'template.delete', `template:${template.id}`, { name: template.name });
    return reply.status(204).send();
  });

  app.post('/api/v1/templates/:id/instantiate', async (request: FastifyRequest<Id>, reply) => {
    const template = await templateOr404(ctx, request.params.id);
    requirePermission(ctx, request, 'flows.read', template.environmentId);
    const body = isRecord(request.body) ? request.body : {};
    if (body.environmentId !== undefined && typeof body.environmentId !== 'string')
      throw invalid("'environmentId' must be a string.", 'environmentId');
    if (body.parameters !== undefined && !isRecord(body.parameters))
      throw invalid("'parameters' must be an object.", 'parameters');
    const environmentId = body.environmentId ?? template.environmentId;
    requirePermission(ctx, request, 'flows.write', environmentId);
    const connectionReferences = await connectionsFor(ctx, template, environmentId, body.connectionReferences);
    // The flows API's own creation path: the same checks, listeners (connector triggers) and audit.
    const flow = await createFlowFrom(ctx, request, {
      name: body.name,
      environmentId,
      definition: template.definition,
      parameters: { ...template.parameters, ...body.parameters },
      ...(body.state !== undefined ? { state: body.state } : {}),
      connectionReferences,
    });
    await audit(ctx.store, principalOf(request), 'template.instantiate', `template:${template.id}`, {
      flowId: String(flow.id),
    });
    return reply.status(201).send(flow);
  });
}
