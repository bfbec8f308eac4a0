// OAuth 2.0 clients (service principals) for the client-credentials grant. The secret is shown
// once, at registration; the store keeps its hash. A client's display name is not a store column,
// so it lives in a setting beside it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_ENVIRONMENT_ID, type OAuthClient, type SettingStore } from '../store/index.js';
import { audit } from './audit.js';
import type { AuthContext } from './context.js';
import { ApiError } from '../util/api-errors.js';
import { ROLES, isRole } from './permissions.js';
import { invalid, objectBody, requireAdmin } from './route-helpers.js';
import { hashSecret, newSecret } from './secrets.js';

const nameKey = (clientId: string): string => `auth.clientName.${clientId}`;

async function clientView(store: SettingStore, client: OAuthClient): Promise<Record<string, unknown>> {
  const name = await store.getSetting(nameKey(client.id));
  return {
    client_id: client.id,
    name: typeof name === 'string' ? name : null,
    roles: client.roles,
    environmentId: client.environmentId,
    createdAt: new Date(client.createdAt).toISOString(),
  };
}

export function clientRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { store } = ctx;

  app.post('/api/v1/clients', async (req, reply) => {
    const principal = await requireAdmin(ctx, req);
    const body = objectBody(req);
    const roles = body.roles;
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
      invalid('roles', `roles must be a non-empty array of ${ROLES.join(', ')}.`);
    }
    const name = body.name;
    if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > 200)) {
      invalid('name', 'name must be a string of at most 200 characters.');
    }
    const environmentId = body.environmentId ?? DEFAULT_ENVIRONMENT_ID;
    if (typeof environmentId !== 'string' || !(await store.getEnvironment(environmentId))) {
      invalid('environmentId', 'environmentId must name an existing environment.');
    }
    const secret = newSecret('fbc');
    const client = await store.createOAuthClient({
      id: randomUUID(),
      secretHash: hashSecret(secret),
      environmentId,
      roles: [...new Set(roles)],
    });
    if (typeof name === 'string') await store.setSetting(nameKey(client.id), name);
    await audit(store, principal, 'client.create', `client:${client.id}`, { name: name ?? null, roles, environmentId });
    return reply.code(201).send({ ...(await clientView(store, client)), client_secret: secret });
  });

  app.get('/api/v1/clients', async (req) => {
    await requireAdmin(ctx, req);
    const clients = await store.listOAuthClients();
    return { value: await Promise.all(clients.map((c) => clientView(store, c))) };
  });

  app.delete('/api/v1/clients/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const principal = await requireAdmin(ctx, req);
    if (!(await store.deleteOAuthClient(req.params.id))) {
      throw ApiError.of('NotFound', `No client with id '${req.params.id}'.`, 'id');
    }
    await store.deleteSetting(nameKey(req.params.id));
    await audit(store, principal, 'client.delete', `client:${req.params.id}`);
    return reply.code(204).send();
  });
}
