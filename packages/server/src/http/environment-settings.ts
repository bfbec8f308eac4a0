/**
 * App settings of an environment (what `@appsetting('<name>')` reads in its flows' runs):
 * GET and PUT /api/v1/environments/{id}/settings, a `{name: value}` object of strings. PUT
 * replaces the whole set. Values may be secrets, so reading needs the same right as changing:
 * `flows.write` in the environment.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { environmentAppSettings, parseAppSettings, setEnvironmentAppSettings } from '../store/app-settings.js';
import { requirePermission, type RouteContext } from './context.js';
import { ApiError } from '../util/api-errors.js';

type Req = FastifyRequest<{ Params: { id: string } }>;

async function environmentOr404(ctx: RouteContext, request: Req): Promise<string> {
  const env = await ctx.store.getEnvironment(request.params.id);
  if (!env) throw new ApiError(404, 'NotFound', `No environment '${request.params.id}'.`, request.params.id);
  requirePermission(ctx, request, 'flows.write', env.id);
  return env.id;
}

export function environmentSettingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/v1/environments/:id/settings', async (request: Req) => {
    const id = await environmentOr404(ctx, request);
    return environmentAppSettings(ctx.store, id);
  });

  app.put('/api/v1/environments/:id/settings', async (request: Req) => {
    const id = await environmentOr404(ctx, request);
    const parsed = parseAppSettings(request.body ?? {});
    if ('error' in parsed) throw new ApiError(400, 'InvalidRequest', parsed.error.message, parsed.error.target);
    await setEnvironmentAppSettings(ctx.store, id, parsed.settings);
    return parsed.settings;
  });
}
