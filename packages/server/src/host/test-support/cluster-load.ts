// A PostgreSQL cluster under a steady load, for the process tests of issue 19 (chaos, drain): a
// fresh database, an api process, workers started on demand, and a target service that counts each
// idempotency key it receives. The flow: a sequential Foreach of Http calls, a Wait, an Http call.
import { createServer, type Server } from 'node:http';
import { createDatabase, databaseUrl, dropDatabase } from '../../store/test-support/backends.js';
import { client, startProcess, type ServerProcess } from '../e2e-support.js';

export interface ClusterUnderLoad {
  api: ServerProcess;
  /** Requests the target received, per idempotency key ('none' when a call carried none). */
  keys: Map<string, number>;
  startWorker(): Promise<ServerProcess>;
  /** Deploys the steady flow and returns its signed trigger URL. */
  deploySteadyFlow(): Promise<string>;
  close(): Promise<void>;
}

export async function startClusterUnderLoad(token: string, leaseMs: number): Promise<ClusterUnderLoad> {
  const keys = new Map<string, number>();
  const processes: ServerProcess[] = [];
  const target: Server = createServer((req, res) => {
    const key = String(req.headers['idempotency-key'] ?? req.headers['x-ms-client-request-id'] ?? 'none');
    keys.set(key, (keys.get(key) ?? 0) + 1);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }, 200);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const address = target.address();
  const targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const dbName = await createDatabase();
  const env = {
    FLOWBRIDGE_ADMIN_TOKEN: token,
    FLOWBRIDGE_DATABASE_URL: databaseUrl(dbName),
    FLOWBRIDGE_LEASE_MS: String(leaseMs),
  };
  const api = await startProcess(['--role', 'api'], env);
  processes.push(api);

  return {
    api,
    keys,
    startWorker: async () => {
      const p = await startProcess(['--role', 'worker'], env, { port: false });
      processes.push(p);
      return p;
    },
    deploySteadyFlow: async () => {
      const call = client(api.url, token);
      const created = await call('POST', '/api/v1/flows', {
        name: 'steady',
        definition: {
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: {
            Loop: {
              type: 'Foreach',
              foreach: '@createArray(1, 2, 3)',
              runtimeConfiguration: { concurrency: { repetitions: 1 } },
              actions: {
                Call: { type: 'Http', inputs: { method: 'POST', uri: `${targetUrl}/item`, body: '@item()' } },
              },
            },
            Pause: {
              type: 'Wait',
              runAfter: { Loop: ['Succeeded'] },
              inputs: { interval: { count: 1, unit: 'Second' } },
            },
            Last: {
              type: 'Http',
              runAfter: { Pause: ['Succeeded'] },
              inputs: { method: 'GET', uri: `${targetUrl}/last` },
            },
          },
        },
      });
      if (created.status !== 201) throw new Error(`deploying the steady flow: ${JSON.stringify(created.body)}`);
      const id = (created.body as { id: string }).id;
      return (await call('POST', `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`)).body.value as string;
    },
    close: async () => {
      await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
      await new Promise((r) => target.close(r));
      await dropDatabase(dbName);
    },
  };
}
