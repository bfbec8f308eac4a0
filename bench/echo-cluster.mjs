// The reference for `flowbridge start --workers <n>`: bench/echo-server.mjs run by <n> node:cluster
// workers behind one port, with node's default scheduling (the primary hands each connection to
// the next worker), as Flowbridge's primary does. Usage: node bench/echo-cluster.mjs <port> <n>
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

const port = process.argv[2] ?? '0';
const n = Number(process.argv[3] ?? 2);
cluster.setupPrimary({ exec: fileURLToPath(new URL('./echo-server.mjs', import.meta.url)), args: [port] });
for (let i = 0; i < n; i++) cluster.fork();
process.once('SIGTERM', () => {
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
});
