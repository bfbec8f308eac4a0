// The web app's budgets (issue 16): initial JavaScript at most 300 KB gzipped; the sign-in page
// interactive within 1 s on loopback; a run of a 200-action flow with 1,000 action records (a loop's
// repetitions) drawn within 1 s; and the graph's layout of 200 actions, in node, as its share.
// Each figure is compared with its budget (ratio above 100% = within budget). The browser figures
// need Debian's Chromium and the built app (npm run build); without them they are skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildGraph } from '../packages/web/src/graph/model.js';
import { layoutGraph } from '../packages/web/src/graph/layout.js';
import { findChromium } from '../packages/web/test/support.js';
import { startFlowbridge } from './harness.js';
import { compare, type BenchResult } from './types.js';

const DIST = join(import.meta.dirname, '..', 'packages', 'web', 'dist');
const KB = 1024;
/** Flows on the flows page measured (each run once). */
const FLOWS = 200;

/** The entry script and what index.html preloads: what a first visit downloads before anything runs. */
function initialJs(): { gz: number; raw: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  let gz = 0;
  let raw = 0;
  for (const f of files) {
    const body = readFileSync(join(DIST, f));
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
  }
  return { gz, raw, files };
}

function bigDefinition(loop: number) {
  const actions: Record<string, unknown> = {};
  for (let i = 0; i < 199; i++) {
    actions[`A${i}`] = {
      type: 'Compose',
      inputs: i,
      ...(i > 0 ? { runAfter: { [`A${i - 1}`]: ['Succeeded'] } } : {}),
    };
  }
  actions.Loop = {
    type: 'Foreach',
    foreach: `@range(0, ${loop})`,
    runAfter: { A198: ['Succeeded'] },
    actions: { Step: { type: 'Compose', inputs: '@item()' } },
  };
  return { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const js = initialJs();
  results.push({
    ...compare('initial JavaScript, gzipped', js.gz / KB, 'KB', 300, 'budget', 'lower'),
    note: `${js.files.join(', ')}: ${(js.raw / KB).toFixed(0)} KB before gzip; the graph, editor and admin pages load on demand`,
  });

  const layouts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    layoutGraph(buildGraph(bigDefinition(10)).root);
    layouts.push(performance.now() - t);
  }
  results.push(compare('200-action graph model + layout (node)', median(layouts), 'ms', 1000, 'budget', 'lower'));

  const executablePath = findChromium();
  if (!executablePath) {
    results.push({ name: 'web: browser figures', value: NaN, unit: '', better: 'lower', note: 'skipped: no Chromium' });
    return results;
  }
  const { chromium } = await import('playwright-core');
  const server = await startFlowbridge();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
      return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    await api('POST', '/api/v1/users', { email: 'bench@example.com', role: 'admin', password: 'bench-password' });
    const flow = await api('POST', '/api/v1/flows', { name: 'big', definition: bigDefinition(1000) });
    const cb = await api('POST', `/api/v1/flows/${flow.id}/triggers/manual/listCallbackUrl`);
    const runId = (await fetch(String(cb.value), { method: 'POST' })).headers.get('x-ms-workflow-run-id');
    for (let i = 0; i < 300; i++) {
      const r = await api('GET', `/api/v1/runs/${runId}`);
      if (r.status !== 'Running' && r.status !== 'Waiting') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const signIn: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await page.goto(server.url + '/');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      signIn.push(performance.now() - t);
    }
    results.push(compare('sign-in page interactive (loopback)', median(signIn), 'ms', 1000, 'budget', 'lower'));
    await page.getByLabel('Email').fill('bench@example.com');
    await page.getByLabel('Password').fill('bench-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Welcome/ }).waitFor();
    const runPage: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await page.goto(`${server.url}/runs/${runId}`);
      await page
        .getByRole('table', { name: 'Actions of this run' })
        .getByRole('button', { name: 'Step', exact: true })
        .waitFor();
      await page
        .getByRole('region', { name: 'Run graph' })
        .getByLabel(/^Action A\d+: Succeeded$/)
        .first()
        .waitFor();
      runPage.push(performance.now() - t);
    }
    const apiTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await api('GET', `/api/v1/runs/${runId}?expand=actions`);
      apiTimes.push(performance.now() - t);
    }
    results.push({
      ...compare('run page, 200 actions + 1,000 repetitions', median(runPage), 'ms', 1000, 'budget', 'lower'),
      note: `from navigation to the graph and the action list drawn; of it, GET /api/v1/runs/{id}?expand=actions alone takes ${median(apiTimes).toFixed(0)} ms`,
    });

    // The flows page of an environment with FLOWS flows, each run once: every row drawn with its
    // trigger and last run (the page asks for them with the list: one request, not two per flow).
    const small = { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: {} };
    for (let i = 0; i < FLOWS; i++) {
      const f = await api('POST', '/api/v1/flows', { name: `many-${String(i).padStart(3, '0')}`, definition: small });
      const url = await api('POST', `/api/v1/flows/${f.id}/triggers/manual/listCallbackUrl`);
      await fetch(String(url.value), { method: 'POST' });
    }
    const last = `many-${String(FLOWS - 1).padStart(3, '0')}`;
    const flowsPage: number[] = [];
    let requests = 0;
    page.on('request', () => requests++);
    for (let i = 0; i < 3; i++) {
      requests = 0;
      const t = performance.now();
      await page.goto(`${server.url}/flows`);
      await page.getByRole('link', { name: new RegExp(`^Last run of ${last}: `) }).waitFor();
      flowsPage.push(performance.now() - t);
    }
    results.push({
      ...compare(`flows page, ${FLOWS} flows`, median(flowsPage), 'ms', 1000, 'budget', 'lower'),
      note: `from navigation to every row drawn with its trigger and last run; ${requests} requests in all (page, code, API)`,
    });
  } finally {
    await browser.close();
    await server.stop();
  }
  return results;
}
