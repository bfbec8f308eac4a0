/**
 * Where webhook/approval callbacks arrive: `${callbackBaseUrl}/${key}` as the engine builds it,
 * with the base carrying the run id and an HMAC of it, so only holders of the URL resume the run.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signRunCallback, safeEqual } from '../host/signing.js';
import { errorBody } from '../util/api-errors.js';
import type { RouteContext } from './context.js';
import { callbackPayload } from '../effects/httpwebhook.js';

/** Registered in the raw-body scope: the payload is decoded as the webhook action expects. */
export function callbackRoutes(app: FastifyInstance, ctx: RouteContext, secret: string): void {
  app.post(
    '/api/v1/callbacks/:runId/:sig/:key',
    async (request: FastifyRequest<{ Params: { runId: string; sig: string; key: string } }>, reply) => {
      const { runId, sig, key } = request.params;
      if (!safeEqual(sig, signRunCallback(secret, runId)) || !key.startsWith(`${runId}:`)) {
        return reply.status(401).send(errorBody('Unauthorized', 'The callback URL signature is invalid.'));
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const payload = callbackPayload(headers, bytes);
      if (!(await ctx.host.deliverCallback(key, payload))) {
        return reply.status(404).send(errorBody('NotFound', 'No run waits for this callback (already delivered?).'));
      }
      return reply.status(202).send();
    },
  );
}
