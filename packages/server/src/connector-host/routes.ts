/**
 * The connectors and connections API (issue #14). Makers and admins manage them (flows.write in
 * the environment); reading needs flows.read. A connection's secret parameters go in and never
 * come out: answers, audit details and logs show which parameters it has, not their values.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isRecord } from '@flowbridge/engine';
import { audit } from '../auth/audit.js';
import type { Auth, Permission, Principal } from '../auth/types.js';
import { summarizeConnector, type Connector, type ConnectorError } from '../connectors/index.js';
import { ApiError } from '../util/api-errors.js';
import { principalOf } from '../http/context.js';
import { DEFAULT_ENVIRONMENT_ID, type ConnectorRecord } from '../store/index.js';
import type { ConnectorHostError } from './errors.js';
import { connectionJson, type ConnectorService } from './service.js';

export interface ConnectorRouteDeps {
  service: ConnectorService;
  auth: Pick<Auth, 'authorize'>;
}

type Q = { Querystring: { environmentId?: string } };
type P = { Params: { name: string } } & Q;

export function allowed(
  deps: ConnectorRouteDeps,
  request: FastifyRequest,
  permission: Permission,
  env: string,
): Principal {
  const principal = principalOf(request);
  if (!deps.auth.authorize(principal, permission, env))
    throw ApiError.of('Forbidden', `The caller lacks '${permission}' in environment '${env}'.`);
  return principal;
}

export function environmentOf(body: Record<string, unknown>, query: { environmentId?: string }): string {
  const given = body.environmentId ?? query.environmentId;
  if (given !== undefined && typeof given !== 'string')
    throw new ApiError(400, 'InvalidRequest', "'environmentId' must be a string.", 'environmentId');
  return given ?? DEFAULT_ENVIRONMENT_ID;
}

function invalid(error: ConnectorError | ConnectorHostError['data']): ApiError {
  const { code, message, ...rest } = error;
  if (code === 'ConnectorNotFound') return new ApiError(404, 'NotFound', message);
  const pointer = 'pointer' in rest ? rest.pointer : undefined;
  return new ApiError(400, 'InvalidConnector', message, pointer, { code, ...rest });
}

export function connectorJson(record: ConnectorRecord): Record<string, unknown> {
  const summary = summarizeConnector(record.connector as Connector);
  return {
    name: record.name,
    apiId: record.apiId,
    environmentId: record.environmentId,
    version: record.version,
    title: summary.title,
    operations: summary.operations,
    triggers: summary.triggers,
    warnings: summary.warnings,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export function connectorRoutes(app: FastifyInstance, deps: ConnectorRouteDeps): void {
  const { service } = deps;
  const store = service.store;

  const importRoute =
    (mode: 'create' | 'update') =>
    async (request: FastifyRequest<P>, reply: { status(n: number): { send(v: unknown): unknown } }) => {
      const body = isRecord(request.body) ? request.body : {};
      const environmentId = environmentOf(body, request.query);
      const principal = allowed(deps, request, 'flows.write', environmentId);
      if (body.apiDefinition === undefined)
        throw new ApiError(400, 'InvalidRequest', "'apiDefinition' is required.", 'apiDefinition');
      if (body.name !== undefined && typeof body.name !== 'string')
        throw new ApiError(400, 'InvalidRequest', "'name' must be a string.", 'name');
      if (mode === 'update' && !(await store.getConnector(environmentId, request.params.name)))
        throw new ApiError(404, 'NotFound', `There is no connector '${request.params.name}'.`, request.params.name);
      if (!(await store.getEnvironment(environmentId)))
        throw new ApiError(400, 'InvalidRequest', `There is no environment '${environmentId}'.`, 'environmentId');
      const outcome = await service.importConnector({
        environmentId,
        apiDefinition: body.apiDefinition,
        ...(body.apiProperties !== undefined ? { apiProperties: body.apiProperties } : {}),
        ...(mode === 'update'
          ? { expectName: request.params.name }
          : typeof body.name === 'string'
            ? { name: body.name }
            : {}),
        createdBy: principal.id,
      });
      if (!outcome.ok) throw invalid(outcome.error);
      await audit(
        store,
        principal,
        mode === 'create' ? 'connector.import' : 'connector.update',
        `connector:${outcome.record.name}`,
        {
          environmentId,
          version: outcome.record.version,
        },
      );
      return reply.status(mode === 'create' ? 201 : 200).send(connectorJson(outcome.record));
    };
  app.post('/api/v1/connectors', importRoute('create'));
  app.put('/api/v1/connectors/:name', importRoute('update'));

  app.get('/api/v1/connectors', async (request: FastifyRequest<Q>) => {
    const principal = principalOf(request);
    const records = await store.listConnectors(request.query.environmentId);
    return {
      value: records.filter((r) => deps.auth.authorize(principal, 'flows.read', r.environmentId)).map(connectorJson),
    };
  });

  app.get('/api/v1/connectors/:name', async (request: FastifyRequest<P>) => {
    const environmentId = environmentOf({}, request.query);
    allowed(deps, request, 'flows.read', environmentId);
    const record = await store.getConnector(environmentId, request.params.name);
    if (!record)
      throw new ApiError(404, 'NotFound', `There is no connector '${request.params.name}'.`, request.params.name);
    return connectorJson(record);
  });

  app.delete('/api/v1/connectors/:name', async (request: FastifyRequest<P>, reply) => {
    const environmentId = environmentOf({}, request.query);
    const principal = allowed(deps, request, 'flows.write', environmentId);
    if (!(await store.deleteConnector(environmentId, request.params.name)))
      throw new ApiError(404, 'NotFound', `There is no connector '${request.params.name}'.`, request.params.name);
    await audit(store, principal, 'connector.delete', `connector:${request.params.name}`, { environmentId });
    return reply.status(204).send();
  });

  const connectionRoute =
    (mode: 'create' | 'update') =>
    async (request: FastifyRequest<P>, reply: { status(n: number): { send(v: unknown): unknown } }) => {
      const body = isRecord(request.body) ? request.body : {};
      const environmentId = environmentOf(body, request.query);
      const principal = allowed(deps, request, 'flows.write', environmentId);
      const existing = mode === 'update' ? await store.getConnection(environmentId, request.params.name) : undefined;
      if (mode === 'update' && !existing)
        throw new ApiError(404, 'NotFound', `There is no connection '${request.params.name}'.`, request.params.name);
      const connectorName = body.connectorName ?? existing?.connectorName;
      if (typeof connectorName !== 'string' || connectorName === '')
        throw new ApiError(400, 'InvalidRequest', "'connectorName' is required.", 'connectorName');
      if (body.parameters !== undefined && !isRecord(body.parameters))
        throw new ApiError(400, 'InvalidRequest', "'parameters' must be an object.", 'parameters');
      for (const key of ['displayName', 'parameterSet', 'name'] as const)
        if (body[key] !== undefined && typeof body[key] !== 'string')
          throw new ApiError(400, 'InvalidRequest', `'${key}' must be a string.`, key);
      const name =
        mode === 'update'
          ? request.params.name
          : ((body.name as string | undefined) ?? `${connectorName}-${randomUUID().slice(0, 8)}`);
      const displayName = (body.displayName as string | undefined) ?? existing?.displayName ?? undefined;
      const parameterSet = (body.parameterSet as string | undefined) ?? existing?.parameterSet ?? undefined;
      const outcome = await service.saveConnection(
        {
          environmentId,
          name,
          connectorName,
          parameters: (body.parameters as Record<string, unknown> | undefined) ?? {},
          ...(displayName !== undefined ? { displayName } : {}),
          ...(parameterSet !== undefined ? { parameterSet } : {}),
          createdBy: principal.id,
        },
        mode,
      );
      if (!outcome.ok) throw invalid(outcome.error);
      await audit(
        store,
        principal,
        mode === 'create' ? 'connection.create' : 'connection.update',
        `connection:${name}`,
        {
          environmentId,
          connectorName,
          // Which parameters were given, never their values.
          parameters: Object.keys(isRecord(body.parameters) ? body.parameters : {}),
        },
      );
      return reply.status(mode === 'create' ? 201 : 200).send(connectionJson(outcome.record));
    };
  app.post('/api/v1/connections', connectionRoute('create'));
  app.put('/api/v1/connections/:name', connectionRoute('update'));

  app.get(
    '/api/v1/connections',
    async (request: FastifyRequest<{ Querystring: { environmentId?: string; connectorName?: string } }>) => {
      const principal = principalOf(request);
      const records = await store.listConnections({
        ...(request.query.environmentId ? { environmentId: request.query.environmentId } : {}),
        ...(request.query.connectorName ? { connectorName: request.query.connectorName } : {}),
      });
      return {
        value: records.filter((r) => deps.auth.authorize(principal, 'flows.read', r.environmentId)).map(connectionJson),
      };
    },
  );

  app.get('/api/v1/connections/:name', async (request: FastifyRequest<P>) => {
    const environmentId = environmentOf({}, request.query);
    allowed(deps, request, 'flows.read', environmentId);
    const record = await store.getConnection(environmentId, request.params.name);
    if (!record)
      throw new ApiError(404, 'NotFound', `There is no connection '${request.params.name}'.`, request.params.name);
    return connectionJson(record);
  });

  app.delete('/api/v1/connections/:name', async (request: FastifyRequest<P>, reply) => {
    const environmentId = environmentOf({}, request.query);
    const principal = allowed(deps, request, 'flows.write', environmentId);
    if (!(await store.deleteConnection(environmentId, request.params.name)))
      throw new ApiError(404, 'NotFound', `There is no connection '${request.params.name}'.`, request.params.name);
    await audit(store, principal, 'connection.delete', `connection:${request.params.name}`, { environmentId });
    return reply.status(204).send();
  });
}
