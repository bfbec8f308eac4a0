// Node-RED, the peer of `npm run bench -- peers`: installed from the npm registry into a folder
// of the OS temp dir (kept between runs, so only the first run downloads; never a dependency of
// this project), given a flows.json equivalent to the benchmark flow of bench/harness.ts, and
// started on a free loopback port in its own process (editor and admin API off, logging quiet).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './children.js';
import { freePort, startChild, type Server } from './harness.js';

/** The newest Node-RED that runs on Node 20 (5.x needs Node 22). */
export const NODE_RED_VERSION = '4.1.15';
const INSTALL_DIR = join(tmpdir(), `flowbridge-bench-node-red-${NODE_RED_VERSION}`);
const RED = join(INSTALL_DIR, 'node_modules/node-red/red.js');

function installedVersion(): string | undefined {
  const manifest = join(INSTALL_DIR, 'node_modules/node-red/package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}

/** Installs Node-RED into its cache folder unless it is there; returns what the run did. */
export async function installNodeRed(): Promise<string> {
  if (installedVersion() === NODE_RED_VERSION) return `node-red ${NODE_RED_VERSION} from ${INSTALL_DIR} (cached)`;
  mkdirSync(INSTALL_DIR, { recursive: true });
  const started = performance.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', INSTALL_DIR, '--save-exact', '--omit=dev', '--no-audit', '--no-fund'];
  await runChild(npm, [...args, `node-red@${NODE_RED_VERSION}`], 600_000, { cwd: INSTALL_DIR });
  if (installedVersion() !== NODE_RED_VERSION) throw new Error(`npm did not install node-red ${NODE_RED_VERSION}`);
  return `node-red ${NODE_RED_VERSION} installed into ${INSTALL_DIR} in ${((performance.now() - started) / 1000).toFixed(0)} s`;
}

/**
 * The benchmark flow in Node-RED's terms, `copies` times (paths /bench/0, /bench/1, ...):
 * http in (POST) → change (Compose_input: msg.input = payload.n) → function (Initialize_count:
 * msg.count = input + 1) → function (Compose_reply: payload = {n: count, name: payload.name}) →
 * http response (200, JSON). Plus GET /healthz for the start-up probe. Function nodes are
 * Node-RED's quickest way to build an object, so its figure is the best it does.
 */
export function nodeRedFlows(copies: number): unknown[] {
  const tab = 'bench';
  const nodes: unknown[] = [
    { id: tab, type: 'tab', label: 'bench' },
    { id: 'health', type: 'http in', z: tab, url: '/healthz', method: 'get', wires: [['health-out']] },
    { id: 'health-out', type: 'http response', z: tab, statusCode: '200', headers: {}, wires: [] },
  ];
  for (let i = 0; i < copies; i++) {
    const id = (name: string): string => `${name}-${i}`;
    nodes.push(
      {
        id: id('in'),
        type: 'http in',
        z: tab,
        url: `/bench/${i}`,
        method: 'post',
        upload: false,
        wires: [[id('input')]],
      },
      {
        id: id('input'),
        type: 'change',
        z: tab,
        name: 'Compose_input',
        rules: [{ t: 'set', p: 'input', pt: 'msg', to: 'payload.n', tot: 'msg' }],
        wires: [[id('count')]],
      },
      {
        id: id('count'),
        type: 'function',
        z: tab,
        name: 'Initialize_count',
        func: 'msg.count = msg.input + 1;\nreturn msg;',
        outputs: 1,
        wires: [[id('reply')]],
      },
      {
        id: id('reply'),
        type: 'function',
        z: tab,
        name: 'Compose_reply',
        func: 'msg.payload = { n: msg.count, name: msg.payload.name };\nreturn msg;',
        outputs: 1,
        wires: [[id('out')]],
      },
      {
        id: id('out'),
        type: 'http response',
        z: tab,
        name: 'Response',
        statusCode: '200',
        headers: { 'content-type': 'application/json' },
        wires: [],
      },
    );
  }
  return nodes;
}

export interface NodeRed extends Server {
  /** Its user folder: flows, settings and anything it writes. */
  userDir: string;
  /** The trigger URLs of the flow copies. */
  urls: string[];
}

/** Starts the installed Node-RED with `copies` copies of the flow in a fresh user folder. */
export async function startNodeRed(copies: number): Promise<NodeRed> {
  const port = await freePort();
  const userDir = mkdtempSync(join(tmpdir(), 'flowbridge-bench-node-red-user-'));
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
  };
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodeRedFlows(copies), null, 2));
  const args = [RED, '--userDir', userDir, '--settings', join(userDir, 'settings.js')];
  const server = await startChild(`node-red ${NODE_RED_VERSION}`, args, process.env, port, () =>
    rmSync(userDir, { recursive: true, force: true }),
  );
  const urls = Array.from({ length: copies }, (_, i) => `${server.url}/bench/${i}`);
  try {
    for (const url of urls) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: 1, name: 'bench' }),
      });
      const body = await res.text();
      if (res.status !== 200 || body !== '{"n":2,"name":"bench"}')
        throw new Error(`Node-RED's flow answered ${res.status} ${body}`);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, userDir, urls };
}
