/**
 * Mounting the web-standard handler in node:http: `http.createServer(toNodeHandler(host.fetch))`.
 * Only types come from node:http, so the kit still loads where there is no Node.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpErrorCode } from './types.js';

const failed: { error: { code: HttpErrorCode; message: string } } = {
  error: { code: 'InternalError', message: 'The host failed to answer.' },
};

export function toNodeHandler(
  handle: (request: Request) => Promise<Response>,
  options: { onError?: (error: unknown) => void } = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? ((error: unknown) => console.error('flowbridge host:', error));
  return (req, res) => {
    serve(handle, req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failed));
    });
  };
}

async function serve(
  handle: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks);
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method, headers, body });
  const response = await handle(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}
