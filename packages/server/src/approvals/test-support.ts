/**
 * Test support for the approvals tests: an in-process SMTP sink on 127.0.0.1 (smtp-server), a
 * minimal MIME reader for what nodemailer sends, a temporary SQLite store, a recording
 * CallbackSink and a fake Auth resolving "Bearer <name>" to a principal; and the effects, mails
 * and answers the approvals tests build from them (the end of this file).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import type { Principal } from '../auth/types.js';
import type { EffectCommand, EffectContext, EffectResult } from '../effects/types.js';
import { installErrorHandler } from '../http/error-handler.js';
import { openStore } from '../store/index.js';
import type { SqlStore } from '../store/index.js';
import { callbackKeyFor, createApprovals } from './index.js';
import type { Approvals, ApprovalsOptions, CallbackSink } from './types.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** Decoded text of every text/* part, concatenated. */
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface SmtpSink {
  url: string;
  mails: ReceivedMail[];
  /** Resolves when at least `count` mails arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseMime(raw);
        const from = session.envelope.mailFrom;
        mails.push({
          ...parsed,
          raw,
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        for (const w of waiters.splice(0)) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decodeQp(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`)
    .replace(/%(?![0-9A-F]{2})/gi, '%25');
  try {
    return decodeURIComponent(bytes);
  } catch {
    return bytes;
  }
}

function decodeSubject(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
  );
}

/** Enough MIME for nodemailer's output: nested multiparts, 7bit / quoted-printable / base64 parts. */
export function parseMime(raw: string): Omit<ReceivedMail, 'from' | 'to' | 'raw'> {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(split < 0 ? raw : raw.slice(0, split));
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const out = { subject: decodeSubject(headers.subject ?? ''), text: '', html: '', headers };
  collect(headers, body, out);
  return out;
}

function collect(headers: Record<string, string>, body: string, out: { text: string; html: string }): void {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const p = part.replace(/^\r?\n/, '');
      const s = p.search(/\r?\n\r?\n/);
      collect(parseHeaders(s < 0 ? p : p.slice(0, s)), s < 0 ? '' : p.slice(s).replace(/^\r?\n\r?\n/, ''), out);
    }
    return;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQp(body)
        : body;
  if (/^text\/html/i.test(type)) out.html += decoded;
  else if (/^text\//i.test(type)) out.text += decoded;
}

export interface RecordingSink extends CallbackSink {
  delivered: Array<{ key: string; payload: unknown }>;
  attempts: number;
  /** Keys the fake host knows (an awaitCallback was committed); others answer false. */
  expect(key: string): void;
}

/** Exactly-once like the store's resolveCallback: true once per awaited key. */
export function recordingSink(options: { acceptAny?: boolean } = {}): RecordingSink {
  const awaited = new Set<string>();
  const resolved = new Set<string>();
  const sink: RecordingSink = {
    delivered: [],
    attempts: 0,
    expect: (key) => void awaited.add(key),
    async deliverCallback(key, payload) {
      sink.attempts++;
      if (resolved.has(key) || (!options.acceptAny && !awaited.has(key))) return false;
      resolved.add(key);
      sink.delivered.push({ key, payload });
      return true;
    },
  };
  return sink;
}

export const PEOPLE: Record<string, Principal> = {
  ann: {
    kind: 'user',
    id: 'u-ann',
    email: 'Ann@Example.com',
    displayName: 'Ann Lee',
    roles: { default: 'user' },
    isAdmin: false,
  },
  bob: {
    kind: 'user',
    id: 'u-bob',
    email: 'bob@example.com',
    displayName: 'Bob',
    roles: { default: 'user' },
    isAdmin: false,
  },
  cat: {
    kind: 'user',
    id: 'u-cat',
    email: 'cat@example.com',
    displayName: 'Cat',
    roles: { default: 'user' },
    isAdmin: false,
  },
  eve: {
    kind: 'user',
    id: 'u-eve',
    email: 'eve@example.com',
    displayName: 'Eve',
    roles: { default: 'user' },
    isAdmin: false,
  },
  admin: { kind: 'admin-token', id: 'admin', roles: {}, isAdmin: true },
};

export const fakeAuth = {
  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    const name = /^Bearer (\w+)$/.exec(authorization ?? '')?.[1];
    return name !== undefined ? (PEOPLE[name] ?? null) : null;
  },
};

export interface Harness {
  dir: string;
  store: SqlStore;
  smtp: SmtpSink;
  sink: RecordingSink;
  approvals: Approvals;
  app: FastifyInstance;
  clock: { now: number };
  /** Reopens the store and rebuilds approvals and the app from it (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  extra: Partial<ApprovalsOptions> = {},
  sinkOptions: { acceptAny?: boolean } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'flowbridge-approvals-'));
  const smtp = await startSmtpSink();
  const sink = recordingSink(sinkOptions);
  const clock = { now: Date.parse('2024-05-01T08:00:00Z') };
  const build = async (): Promise<Pick<Harness, 'store' | 'approvals' | 'app'>> => {
    const store = await openStore({ dataDir: dir, now: () => clock.now });
    const approvals = createApprovals({
      store,
      callbacks: sink,
      auth: fakeAuth,
      mailer: { smtpUrl: smtp.url, from: 'flows@example.com' },
      publicBaseUrl: 'http://flowbridge.test',
      linkSecret: 'test-link-secret-0123456789',
      now: () => clock.now,
      ...extra,
    });
    const app = Fastify();
    installErrorHandler(app); // the server's, which answers for the approvals routes too
    await app.register(approvals.routes);
    await app.ready();
    return { store, approvals, app };
  };
  const h = { dir, smtp, sink, clock, ...(await build()) } as Harness;
  const shutdown = async (): Promise<void> => {
    await h.app.close();
    await h.approvals.close();
    await h.store.close();
  };
  h.restart = async () => {
    await shutdown();
    Object.assign(h, await build());
  };
  h.close = async () => {
    await shutdown();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  };
  return h;
}

// The approvals tests' effects, mails and answers.

export const RUN = 'run-1';
export const PATH = 'Start_and_wait_for_an_approval';
export const KEY = callbackKeyFor(RUN, PATH);

export function context(h: Harness, runId = RUN): EffectContext {
  return { runId, workflow: { id: 'wf-1', name: 'wf' }, now: () => h.clock.now };
}

export function startAndWait(params: Record<string, unknown>, path = PATH, runId = RUN): EffectCommand {
  return {
    kind: 'effect',
    id: `${path}#subscribe1`,
    path,
    actionName: path,
    actionType: 'OpenApiConnectionWebhook',
    operation: 'subscribe',
    inputs: {
      host: {
        apiId: '/providers/Microsoft.PowerApps/apis/shared_approvals',
        connectionName: 'shared_approvals',
        operationId: 'StartAndWaitForAnApproval',
      },
      parameters: params,
      authentication: '@parameters($authentication)',
    },
    attempt: 1,
    idempotencyKey: `${runId}/${path}/1`,
  };
}

export function basic(type: string, assignedTo: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    approvalType: type,
    'WebhookApprovalCreationInput/title': 'Buy a laptop',
    'WebhookApprovalCreationInput/assignedTo': assignedTo,
    'WebhookApprovalCreationInput/details': '# Request\n**1200 EUR** <script>alert(1)</script>',
    'WebhookApprovalCreationInput/itemLink': 'https://items.example.com/42',
    'WebhookApprovalCreationInput/itemLinkDescription': 'Item 42',
    'WebhookApprovalCreationInput/requestor': 'eve@example.com;',
    'WebhookApprovalCreationInput/enableNotifications': true,
    ...extra,
  };
}

export async function effect(h: Harness, command: EffectCommand, runId = RUN): Promise<EffectResult> {
  const pending = h.approvals.handleEffect(command, context(h, runId));
  assert.ok(pending, 'handleEffect took the command');
  return pending;
}

/** Starts an approval, registers the run's callback (as the host would) and returns its id. */
export async function start(h: Harness, params: Record<string, unknown>, path = PATH): Promise<string> {
  const result = await effect(h, startAndWait(params, path));
  assert.equal(result.status, 'Succeeded', JSON.stringify(result));
  h.sink.expect(callbackKeyFor(RUN, path));
  const id = (result.outputs as { body: { name: string } }).body.name;
  assert.match(id, /^[0-9a-f-]{36}$/);
  return id;
}

export function linksIn(mail: ReceivedMail): Map<string, string> {
  const links = new Map<string, string>();
  for (const m of mail.text.matchAll(/^([^:\n]+): (http:\/\/flowbridge\.test(\/approvals\/respond\?token=\S+))$/gm)) {
    links.set(m[1] ?? '', m[3] ?? '');
  }
  return links;
}

export function mailTo(h: Harness, address: string): ReceivedMail {
  const mail = h.smtp.mails.find((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  assert.ok(mail, `a mail to ${address}`);
  return mail;
}

export async function respond(h: Harness, who: string, id: string, response: string, comments = '') {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${id}/respond`,
    headers: { authorization: `Bearer ${who}` },
    payload: { response, comments },
  });
}

export async function confirm(h: Harness, url: string, comments: string) {
  const token = new URL(url, 'http://x').searchParams.get('token') ?? '';
  return h.app.inject({
    method: 'POST',
    url: '/approvals/respond',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, comments }).toString(),
  });
}

export type Body = {
  outcome: string;
  name: string;
  title: string;
  responses: Array<{ approverResponse: string; comments: string; responder: { email: string; displayName: string } }>;
  responseSummary: string;
  completionDate: string;
  requestDate: string;
  itemLink: string;
};
export const bodyOf = (payload: unknown): Body => (payload as { body: Body }).body;
