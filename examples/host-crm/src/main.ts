/**
 * `npm start -w examples/host-crm`: the CRM on node:http. Configuration from the environment
 * (config.ts); the log is one JSON object a line; `crm started` names the URL.
 */
import type { AddressInfo } from 'node:net';
import { CrmApp, type Logger } from './app.js';
import { configFromEnv } from './config.js';
import { crmServer } from './server.js';

const line = (level: string) => (fields: Record<string, unknown>, msg: string) =>
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...fields, msg })}\n`);
const log: Logger = { info: line('info'), warn: line('warn') };

const config = configFromEnv(process.env);
if ('variable' in config) {
  console.error(`host-crm: ${config.message}`);
  process.exit(2);
}

let app: CrmApp | undefined;
const server = crmServer(() => app, log);
server.once('error', (err: NodeJS.ErrnoException) => {
  console.error(`host-crm: cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  const publicUrl = config.publicUrl ?? url;
  app = new CrmApp({ config, publicUrl, log });
  log.info(
    {
      url,
      publicUrl,
      dataFile: config.dataFile,
      flowbridgeUrl: config.flowbridgeUrl,
      connected: Boolean(app.flowbridge),
    },
    'crm started',
  );
  app.resumeDeliveries();
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void (app?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}
