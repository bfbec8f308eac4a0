/**
 * HTTP surface of approvals: the REST API under /api/v1/approvals (Bearer-authenticated) and the
 * one-click response pages under /approvals/respond (authenticated by the signed link token).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/types.js';
import { ApiError } from '../util/api-errors.js';
import { isRecord } from '../util/json.js';
import { isHttpUrl } from './inputs.js';
import { iso } from './outputs.js';
import { confirmPage, resultPage, statusOfResult, type ResultKind } from './pages.js';
import type { LoadedApproval } from './records.js';
import type { ApprovalService } from './service.js';
import { sameAddress } from './state.js';
import { verifyLinkToken } from './tokens.js';
import type { ApprovalsOptions } from './types.js';

const MAX_COMMENTS = 4000;

/** What the API shows of an approval. */
export function approvalView(loaded: LoadedApproval): Record<string, unknown> {
  const { approval, details, state } = loaded;
  const { spec } = details;
  return {
    id: approval.id,
    name: approval.id,
    status: approval.status,
    approvalType: spec.approvalType,
    title: spec.title,
    details: spec.details,
    itemLink: spec.itemLink,
    itemLinkDescription: spec.itemLinkDescription,
    requestor: spec.requestor,
    assignedTo: state.assignees,
    responseOptions: spec.responseOptions,
    enableReassignment: spec.enableReassignment,
    requestDate: details.requestDate,
    completionDate: details.outputs?.completionDate ?? null,
    outcome: details.outputs?.outcome ?? null,
    // One shape before and after the end: the action outputs' (while pending, the responder is
    // known by address only; the outputs resolve names when the approval ends).
    responses:
      details.outputs?.responses ??
      state.responses.map((r) => ({
        responder: { id: r.email, displayName: r.email, email: r.email, userPrincipalName: r.email },
        requestDate: details.requestDate,
        responseDate: new Date(r.at).toISOString(),
        approverResponse: r.response,
        comments: r.comments,
      })),
    runId: approval.runId,
    actionPath: approval.path,
    workflow: details.workflow ?? null,
    // Times as ISO 8601, like every other time in the API.
    reassignments: state.reassignments.map((r) => ({ ...r, at: iso(r.at) })),
    linkedRequests: [
      ...(spec.linkedRequest ? [{ callbackUrl: spec.linkedRequest.callbackUrl }] : []),
      ...state.links.map((l) => ({ ...l, at: iso(l.at) })),
    ],
    hostSettlements: state.hostSettlements.map((h) => ({ ...h, at: iso(h.at) })),
  };
}

function bodyField(body: unknown, name: string): unknown {
  return isRecord(body) ? body[name] : undefined;
}

export function createRoutes(service: ApprovalService, options: Pick<ApprovalsOptions, 'auth'>): FastifyPluginAsync {
  const { store, now, linkSecret } = service.deps;

  async function principal(request: FastifyRequest): Promise<Principal> {
    const decorated = (request as FastifyRequest & { principal?: Principal }).principal;
    const found =
      decorated ?? (options.auth ? await options.auth.authenticate(request.headers.authorization, request) : null);
    if (!found) throw ApiError.of('Unauthorized', 'Authentication is required (Authorization: Bearer <token>).');
    return found;
  }

  function emailOf(p: Principal): string {
    if (!p.email)
      throw ApiError.of('Forbidden', 'This principal has no email address, so it is assigned no approvals.');
    return p.email.toLowerCase();
  }

  /** Admins, the requestor, the owner of the flow, and operators of its environment manage an approval. */
  async function canManage(p: Principal, loaded: LoadedApproval): Promise<boolean> {
    if (p.isAdmin) return true;
    if (p.email && loaded.details.spec.requestor !== '' && sameAddress(p.email, loaded.details.spec.requestor))
      return true;
    const flowId = loaded.details.workflow?.id;
    const flow = flowId ? await store.getFlow(flowId, { includeDeleted: true }) : undefined;
    if (flow && flow.ownerId !== null && flow.ownerId === p.id) return true;
    const role = p.roles[flow?.environmentId ?? 'default'];
    return role === 'admin' || role === 'operator';
  }

  async function managed(request: FastifyRequest, id: string): Promise<{ p: Principal; loaded: LoadedApproval }> {
    const p = await principal(request);
    const loaded = await service.records.mustLoad(id);
    if (!(await canManage(p, loaded))) {
      throw ApiError.of('Forbidden', 'Only the requestor, the flow owner, an operator or an admin can do this.', id);
    }
    return { p, loaded };
  }

  return async (app) => {
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 65536 },
        (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(body))));
        },
      );
    }

    app.get('/api/v1/approvals', async (request) => {
      const p = await principal(request);
      const query = request.query as Record<string, string | undefined>;
      const filter = query.filter ?? 'received';
      const status = query.status;
      if (filter !== 'received' && filter !== 'sent') {
        throw ApiError.of('InvalidRequest', "filter must be 'received' or 'sent'.", 'filter');
      }
      if (status !== undefined && status !== 'pending' && status !== 'completed') {
        throw ApiError.of('InvalidRequest', "status must be 'pending' or 'completed'.", 'status');
      }
      const rows = (await store.listApprovals(status === 'pending' ? { status: 'Pending' } : {})).filter(
        (row) => status !== 'completed' || row.status !== 'Pending',
      );
      const items: Record<string, unknown>[] = [];
      for (const loaded of await service.records.loadMany(rows)) {
        const mine =
          filter === 'received'
            ? p.email !== undefined && loaded.state.assignees.some((a) => sameAddress(a, p.email ?? ''))
            : (p.email !== undefined &&
                loaded.details.spec.requestor !== '' &&
                sameAddress(p.email, loaded.details.spec.requestor)) ||
              (await ownsFlow(p, loaded));
        if (mine) items.push(approvalView(loaded));
      }
      return { value: items };
    });

    async function ownsFlow(p: Principal, loaded: LoadedApproval): Promise<boolean> {
      const flowId = loaded.details.workflow?.id;
      if (!flowId) return false;
      const flow = await store.getFlow(flowId, { includeDeleted: true });
      return flow !== undefined && flow.ownerId !== null && flow.ownerId === p.id;
    }

    app.get('/api/v1/approvals/:id', async (request) => {
      const p = await principal(request);
      const { id } = request.params as { id: string };
      const loaded = await service.records.mustLoad(id);
      const assigned =
        p.email !== undefined &&
        [...loaded.details.spec.assignedTo, ...loaded.state.assignees].some((a) => sameAddress(a, p.email ?? ''));
      if (!assigned && !(await canManage(p, loaded))) {
        throw ApiError.of('Forbidden', 'This approval is neither assigned to you nor requested by you.', id);
      }
      return approvalView(loaded);
    });

    app.post('/api/v1/approvals/:id/respond', async (request) => {
      const p = await principal(request);
      const { id } = request.params as { id: string };
      const response = bodyField(request.body, 'response');
      const comments = bodyField(request.body, 'comments') ?? '';
      if (typeof response !== 'string' || typeof comments !== 'string' || comments.length > MAX_COMMENTS) {
        throw ApiError.of(
          'InvalidRequest',
          `Send {response: string, comments?: string (at most ${MAX_COMMENTS})}.`,
          'response',
        );
      }
      const loaded = await service.records.mustLoad(id);
      const email = p.email?.toLowerCase();
      // Only an assignee answers, with their own credentials: admins included, nobody answers for someone else.
      if (email === undefined || !loaded.state.assignees.some((a) => sameAddress(a, email))) {
        throw ApiError.of('Forbidden', 'Only an assignee of this approval can respond to it.', id);
      }
      return approvalView(await service.respond({ id, email, response, comments, actor: p.id, via: 'api' }));
    });

    app.post('/api/v1/approvals/:id/reassign', async (request) => {
      const p = await principal(request);
      const { id } = request.params as { id: string };
      const to = bodyField(request.body, 'to');
      if (typeof to !== 'string') throw ApiError.of('InvalidRequest', 'Send {to: email}.', 'to');
      return approvalView(await service.reassign(id, emailOf(p), to, p.id));
    });

    app.post('/api/v1/approvals/:id/cancel', async (request) => {
      const { id } = request.params as { id: string };
      const { p } = await managed(request, id);
      return approvalView(await service.cancel(id, p.id));
    });

    app.post('/api/v1/approvals/:id/link', async (request) => {
      const { id } = request.params as { id: string };
      const { p } = await managed(request, id);
      const callbackUrl = bodyField(request.body, 'callbackUrl');
      if (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl)) {
        throw ApiError.of('InvalidRequest', 'Send {callbackUrl: an http(s) URL}.', 'callbackUrl');
      }
      return approvalView(await service.link(id, callbackUrl, p.id));
    });

    app.post('/api/v1/approvals/:id/hostSettled', async (request) => {
      const { id } = request.params as { id: string };
      const { p } = await managed(request, id);
      return approvalView(await service.hostSettled(id, request.body ?? null, p.id));
    });

    // ---- one-click links: GET shows a confirmation page and changes nothing; the form POSTs.

    async function checkToken(
      token: unknown,
    ): Promise<
      { kind: ResultKind } | { kind: 'ok'; loaded: LoadedApproval; assignee: string; option: string; token: string }
    > {
      if (typeof token !== 'string' || token === '') return { kind: 'invalid' };
      const checked = verifyLinkToken(linkSecret, token, now());
      if (!checked.ok) return { kind: checked.reason === 'Expired' ? 'expired' : 'invalid' };
      const { approvalId, assignee, option } = checked.claims;
      const loaded = await service.records.load(approvalId);
      if (!loaded) return { kind: 'invalid' };
      // Used once: the assignee's response is in the log from then on.
      const answered =
        loaded.state.responses.some((r) => r.email === assignee) ||
        (loaded.details.outputs?.responses ?? []).some((r) => sameAddress(r.responder.email, assignee));
      if (answered) return { kind: 'used' };
      if (loaded.approval.status !== 'Pending') return { kind: 'completed' };
      if (!loaded.state.assignees.some((a) => sameAddress(a, assignee))) return { kind: 'notAssigned' };
      if (!loaded.details.spec.responseOptions.includes(option)) return { kind: 'invalid' };
      return { kind: 'ok', loaded, assignee, option, token };
    }

    const html = (reply: FastifyReply, status: number, body: string): FastifyReply =>
      reply
        .code(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        .send(body);

    app.get('/approvals/respond', async (request, reply) => {
      const checked = await checkToken((request.query as Record<string, unknown>).token);
      if (checked.kind !== 'ok') return html(reply, statusOfResult(checked.kind), resultPage(checked.kind));
      return html(
        reply,
        200,
        await confirmPage({
          spec: checked.loaded.details.spec,
          option: checked.option,
          assignee: checked.assignee,
          token: checked.token,
        }),
      );
    });

    app.post('/approvals/respond', async (request, reply) => {
      const checked = await checkToken(bodyField(request.body, 'token'));
      if (checked.kind !== 'ok') return html(reply, statusOfResult(checked.kind), resultPage(checked.kind));
      const raw = bodyField(request.body, 'comments');
      const comments = typeof raw === 'string' ? raw.slice(0, MAX_COMMENTS) : '';
      try {
        await service.respond({
          id: checked.loaded.approval.id,
          email: checked.assignee,
          response: checked.option,
          comments,
          actor: `link:${checked.assignee}`,
          via: 'link',
        });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const kind: ResultKind =
          error.code === 'AlreadyResponded'
            ? 'used'
            : error.code === 'Forbidden'
              ? 'notAssigned'
              : error.code === 'AlreadyCompleted'
                ? 'completed'
                : 'invalid';
        return html(reply, statusOfResult(kind), resultPage(kind));
      }
      return html(reply, 200, resultPage('recorded', `Your response: ${checked.option}`));
    });
  };
}
