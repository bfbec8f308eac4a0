// The auth module's routes, as one fastify plugin the HTTP app registers at its root.
import type { FastifyPluginAsync } from 'fastify';
import type { AuthContext } from './context.js';
import { clientRoutes } from './routes-clients.js';
import { adminRoutes } from './routes-admin.js';
import { oauthRoutes } from './routes-oauth.js';
import { userRoutes } from './routes-users.js';

export function authRoutes(ctx: AuthContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(oauthRoutes(ctx));
    userRoutes(app, ctx);
    clientRoutes(app, ctx);
    adminRoutes(app, ctx);
  };
}
