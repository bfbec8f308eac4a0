/**
 * A loopback HTTP listener that receives webhook callbacks for runs the local host drives.
 * The engine builds callback URLs as `${callbackBaseUrl}/${encodeURIComponent(key)}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackPayload } from '../effects/httpwebhook.js';

export interface CallbackListener {
  /** The callbackBaseUrl to give the engine. */
  baseUrl: string;
  close(): Promise<void>;
}

/** `deliver` returns false when no run waits for that key (the caller then gets 404). */
export async function startCallbackListener(
  deliver: (key: string, payload: unknown) => boolean,
  host = '127.0.0.1',
): Promise<CallbackListener> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const match = /^\/callbacks\/([^/]+)$/.exec(path);
      let key: string | undefined;
      try {
        key = match ? decodeURIComponent(match[1]!) : undefined;
      } catch {
        key = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const accepted = key !== undefined && deliver(key, callbackPayload(headers, Buffer.concat(chunks)));
      res.statusCode = accepted ? 202 : 404;
      res.setHeader('content-type', 'application/json');
      res.end(
        accepted
          ? ''
          : JSON.stringify({ error: { code: 'CallbackNotFound', message: 'No run waits for this callback.' } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/callbacks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
