/**
 * The CRM's HTTP routes as one table: pages (GET), form posts (POST, answered 303 to a page), the
 * signed approval callback. The connector's routes (/connector/...) are the host kit's.
 */
import type { IncomingMessage } from 'node:http';
import type { CrmApp } from './app.js';
import { html, layout, type Html } from './html.js';
import { customerPage, customersPage, requestsPage, setupPage, type CustomerView } from './pages.js';
import { STATUS_OF, type Change, type Result } from './records.js';
import { TABLES, type TableName } from './tables.js';
import { TRIGGERS } from './events.js';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RouteContext {
  app: CrmApp;
  req: IncomingMessage;
  url: URL;
  /** The path's captures (`/customers/(\d+)` → ['7']). */
  params: string[];
  body: string;
  form: () => Record<string, string>;
}

type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

const page = (title: string, ctx: RouteContext, body: Html, status = 200): Reply => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: layout(title, body, {
    flash: ctx.url.searchParams.get('flash') ?? undefined,
    error: ctx.url.searchParams.get('error') ?? undefined,
  }),
});

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** A 303 to a page, with a message it shows. */
export function seeOther(path: string, notice: { flash?: string; error?: string; created?: string } = {}): Reply {
  const query = new URLSearchParams(Object.entries(notice).filter((e): e is [string, string] => e[1] !== undefined));
  const q = query.toString();
  return { status: 303, headers: { location: q ? `${path}?${q}` : path } };
}

const notFound = (ctx: RouteContext, what: string): Reply =>
  page('Not found', ctx, html`<p>${what} does not exist.</p>`, 404);

/** After a form post that made a record: to the customer it belongs to, naming what was made. */
function afterChange(result: Result<Change>, back: string): Reply {
  if (!result.ok) return seeOther(back, { error: result.error.message });
  const { table, id, op } = result.value;
  const row = result.value.after ?? result.value.before!;
  const customerId = table === 'customers' ? id : Number(row.customerId);
  if (table === 'customers' && op === 'deleted')
    return seeOther('/', { flash: `Customer ${String(row.name)} deleted.` });
  return seeOther(`/customers/${customerId}`, {
    flash: `${TABLES[table].singular} #${id} ${op}.`,
    ...(op === 'created' ? { created: `${table}/${id}` } : {}),
  });
}

const createIn =
  (table: TableName): Handler =>
  ({ app, form }) => {
    const input = form();
    const back = input.customerId ? `/customers/${input.customerId}` : '/';
    return afterChange(app.apply(app.records.create(table, input)), back);
  };

async function customer(ctx: RouteContext): Promise<Reply> {
  const { app } = ctx;
  const id = Number(ctx.params[0]);
  const row = app.records.get('customers', id);
  if (!row) return notFound(ctx, `Customer ${id}`);
  const instantFlows: CustomerView['instantFlows'] = app.flowbridge
    ? await app.flowbridge.flowsFor(TRIGGERS.instant).catch((err: unknown) => ({ problem: String(err) }))
    : { problem: 'Not connected to Flowbridge (FLOWBRIDGE_TOKEN is not set).' };
  const of = { customerId: id };
  return page(
    String(row.name),
    ctx,
    customerPage({
      customer: row,
      orders: app.records.list('orders', of),
      notes: app.records.list('notes', of),
      requests: app.records.list('requests', of),
      instantFlows,
    }),
  );
}

export const ROUTES: ReadonlyArray<[method: string, path: RegExp, handler: Handler]> = [
  ['GET', /^\/$/, (ctx) => page('Customers', ctx, customersPage(ctx.app.records.list('customers')))],
  ['GET', /^\/healthz$/, () => json(200, { status: 'ok' })],
  ['POST', /^\/customers$/, createIn('customers')],
  ['GET', /^\/customers\/(\d+)$/, customer],
  [
    'POST',
    /^\/customers\/(\d+)$/,
    ({ app, params, form }) => {
      const patch = form();
      return afterChange(
        app.apply(app.records.update('customers', Number(params[0]), patch)),
        `/customers/${params[0]}`,
      );
    },
  ],
  [
    'POST',
    /^\/customers\/(\d+)\/delete$/,
    ({ app, params }) => afterChange(app.apply(app.records.remove('customers', Number(params[0]))), '/'),
  ],
  [
    'POST',
    /^\/customers\/(\d+)\/run$/,
    async ({ app, params, form }) => {
      const flowId = form().flowId ?? '';
      const ran = await app.runInstant('customers', Number(params[0]), flowId);
      return seeOther(`/customers/${params[0]}`, ran.ok ? { flash: ran.message } : { error: ran.message });
    },
  ],
  ['POST', /^\/orders$/, createIn('orders')],
  ['POST', /^\/notes$/, createIn('notes')],
  ['POST', /^\/requests$/, createIn('requests')],
  [
    'POST',
    /^\/orders\/(\d+)\/delete$/,
    ({ app, params }) => afterChange(app.apply(app.records.remove('orders', Number(params[0]))), '/'),
  ],
  [
    'GET',
    /^\/requests$/,
    (ctx) => {
      const customers = new Map(ctx.app.records.list('customers').map((c) => [c.id, c]));
      return page('Requests', ctx, requestsPage(ctx.app.records.list('requests'), customers));
    },
  ],
  [
    'POST',
    /^\/hooks\/requests\/(\d+)\/approval$/,
    async ({ app, params, req, body }) => {
      const outcome = await app.settleFromApproval(Number(params[0]), req.headers, body);
      if (outcome.ok) return json(200, outcome);
      const code = outcome.error.code;
      const status =
        code === 'Unsigned' ? 401 : code === 'NotConfigured' ? 503 : code === 'InvalidBody' ? 400 : STATUS_OF[code];
      return json(status, { error: outcome.error });
    },
  ],
  ['GET', /^\/setup$/, async (ctx) => page('Flowbridge setup', ctx, setupPage(await setupView(ctx.app)))],
  [
    'POST',
    /^\/setup\/connect$/,
    async ({ app }) => {
      if (!app.flowbridge) return seeOther('/setup', { error: 'FLOWBRIDGE_TOKEN is not set.' });
      const done = await app.flowbridge.connect();
      return seeOther('/setup', done.ok ? { flash: done.message } : { error: done.message });
    },
  ],
  [
    'POST',
    /^\/setup\/templates\/([^/]+)\/instantiate$/,
    async ({ app, params, form }) => {
      if (!app.flowbridge) return seeOther('/setup', { error: 'FLOWBRIDGE_TOKEN is not set.' });
      const input = form();
      const parameters = Object.fromEntries(
        Object.entries(input)
          .filter(([k]) => k.startsWith('param.'))
          .map(([k, v]) => [k.slice('param.'.length), v]),
      );
      const made = await app.flowbridge.instantiate(decodeURIComponent(params[0]!), input.name ?? '', parameters);
      return seeOther(
        '/setup',
        made.ok ? { flash: made.message, created: `flows/${made.flowId}` } : { error: made.message },
      );
    },
  ],
];

async function setupView(app: CrmApp) {
  if (!app.flowbridge) return { flowbridgeUrl: '', configured: false, templates: [], flows: [] };
  return app.flowbridge.status();
}
