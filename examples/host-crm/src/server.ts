/** node:http for the CRM: the connector's routes go to the host kit, everything else to routes.ts. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { toNodeHandler } from '@flowbridge/sdk';
import type { CrmApp, Logger } from './app.js';
import { ROUTES, type Reply } from './routes.js';

const MAX_BODY = 1024 * 1024;

class TooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A form post from another site is refused (the pages have no sign-in: keep them to this origin). */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(reply.body ?? '');
}

async function handle(app: CrmApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://crm.invalid');
  const method = req.method ?? 'GET';
  const routes = ROUTES.filter(([, path]) => path.test(url.pathname));
  const route = routes.find(([m]) => m === method);
  if (!route) {
    send(res, { status: routes.length > 0 ? 405 : 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' });
    return;
  }
  if (method === 'POST' && !url.pathname.startsWith('/hooks/') && crossSite(req)) {
    send(res, { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Cross-site form posts are refused.' });
    return;
  }
  const body = method === 'POST' ? await readBody(req) : '';
  const params = route[1].exec(url.pathname)!.slice(1);
  const form = () => Object.fromEntries(new URLSearchParams(body));
  send(res, await route[2]({ app, req, url, params, body, form }));
}

export function crmServer(getApp: () => CrmApp | undefined, log: Logger): Server {
  let connector: ReturnType<typeof toNodeHandler> | undefined;
  return createServer((req, res) => {
    const app = getApp();
    if (!app) {
      send(res, { status: 503, body: 'starting' });
      return;
    }
    if (req.url === '/connector' || req.url?.startsWith('/connector/')) {
      connector ??= toNodeHandler((r) => app.host.fetch(r), {
        onError: (err) => log.warn({ err: String(err) }, 'connector request failed'),
      });
      connector(req, res);
      return;
    }
    handle(app, req, res).catch((err: unknown) => {
      const status = err instanceof TooLarge ? 413 : 500;
      if (status === 500) log.warn({ err: String(err), url: req.url }, 'request failed');
      if (!res.headersSent)
        send(res, { status, headers: { 'content-type': 'text/plain' }, body: status === 413 ? 'Too large' : 'Error' });
      else res.end();
    });
  });
}
