// Organisation-level routes: environments, the automation switch, the audit log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isStoreError } from '../store/index.js';
import { audit, actorOf } from './audit.js';
import { automationView, getOrgAutomation, setOrgAutomation } from './automation.js';
import type { AuthContext } from './context.js';
import { ApiError } from '../util/api-errors.js';
import { invalid, objectBody, requireAdmin, requirePrincipal } from './route-helpers.js';
import { automationBody } from './routes-users.js';

const ENV_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function adminRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { store } = ctx;

  app.get('/api/v1/environments', async (req) => {
    const principal = await requirePrincipal(ctx, req);
    const all = await store.listEnvironments();
    // Tenancy: a principal sees the environments it has a role in.
    const items = principal.isAdmin ? all : all.filter((e) => principal.roles[e.id] !== undefined);
    return { value: items.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })) };
  });

  app.post('/api/v1/environments', async (req, reply) => {
    const principal = await requireAdmin(ctx, req);
    const body = objectBody(req);
    const name = body.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
      invalid('name', 'name must be a non-empty string of at most 200 characters.');
    }
    const id = body.id;
    if (id !== undefined && (typeof id !== 'string' || !ENV_ID.test(id))) {
      invalid('id', 'id must be lower-case letters, digits and hyphens (at most 63).');
    }
    if (typeof id === 'string' && (await store.getEnvironment(id))) {
      throw ApiError.of('Conflict', `An environment with id '${id}' exists.`, 'id');
    }
    try {
      const env = await store.createEnvironment(
        typeof id === 'string' ? { id, name: name.trim() } : { name: name.trim() },
      );
      await audit(store, principal, 'environment.create', `environment:${env.id}`, { name: env.name });
      return reply.code(201).send({ ...env, createdAt: new Date(env.createdAt).toISOString() });
    } catch (e) {
      if (isStoreError(e, 'Conflict')) throw ApiError.of('Conflict', `An environment with id '${id}' exists.`, 'id');
      throw e;
    }
  });

  app.get('/api/v1/settings/automation', async (req) => {
    await requirePrincipal(ctx, req);
    return automationView(await getOrgAutomation(store));
  });

  app.put('/api/v1/settings/automation', async (req) => {
    const principal = await requireAdmin(ctx, req);
    const { enabled, reason } = automationBody(objectBody(req));
    const state = { enabled, reason: enabled ? null : reason, changedAt: ctx.now(), changedBy: actorOf(principal) };
    await setOrgAutomation(store, state);
    await audit(store, principal, enabled ? 'automation.enable' : 'automation.disable', 'settings:automation', {
      reason,
    });
    return automationView(state);
  });

  app.get('/api/v1/audit', async (req: FastifyRequest<{ Querystring: { limit?: string; cursor?: string } }>) => {
    await requireAdmin(ctx, req);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      invalid('limit', 'limit must be an integer from 1 to 1000.');
    const before = req.query.cursor === undefined ? undefined : Number(req.query.cursor);
    if (before !== undefined && (!Number.isInteger(before) || before < 1))
      invalid('cursor', 'cursor is not one we gave out.');
    const entries = await store.listAudit(before === undefined ? { limit } : { limit, before });
    const last = entries[entries.length - 1];
    return {
      value: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      // A full page may have more behind it; the cursor is the id to continue below.
      nextCursor: entries.length === limit && last ? String(last.id) : null,
    };
  });
}
