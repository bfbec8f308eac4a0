/**
 * Notifications: approval request mails (one per assignee, with personal one-click links), the
 * plain send-mail action, and a chat message through an incoming-webhook URL. Delivery is over
 * real SMTP with nodemailer; nodemailer is loaded and the transport created on first use.
 * RequestNotifier sends a new (or reassigned) request's notices; a failed notice never fails the
 * approval.
 */
import { createHash } from 'node:crypto';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { MailSpec } from './inputs.js';
import { escapeHtml, isSafeHref, renderMarkdown } from './markdown.js';
import { createLinkToken } from './tokens.js';
import type { ApprovalSpec, ApprovalsLogger } from './types.js';

export interface ResponseLink {
  option: string;
  url: string;
}

export interface Mailer {
  send(message: SendMailOptions): Promise<void>;
  close(): void;
}

export function createMailer(config: { smtpUrl: string; from: string }): Mailer {
  let transport: Transporter | undefined;
  return {
    async send(message) {
      if (!transport) {
        const { default: nodemailer } = await import('nodemailer');
        transport ??= nodemailer.createTransport(config.smtpUrl);
      }
      await transport.sendMail({ from: config.from, ...message });
    },
    close() {
      transport?.close();
    },
  };
}

/** A stable Message-ID for an idempotency key, so a re-sent mail after a crash is recognisably the same. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@flowbridge>`;
}

export async function approvalMail(
  approvalId: string,
  spec: ApprovalSpec,
  assignee: string,
  links: ResponseLink[],
  approvalUrl: string,
): Promise<SendMailOptions> {
  const item =
    spec.itemLink !== '' && isSafeHref(spec.itemLink)
      ? `<p><a href="${escapeHtml(spec.itemLink)}">${escapeHtml(spec.itemLinkDescription || spec.itemLink)}</a></p>`
      : '';
  const buttons = links
    .map(
      (l) =>
        `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:4px 8px 4px 0;padding:8px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(l.option)}</a>`,
    )
    .join('');
  const requestor = spec.requestor !== '' ? `<p>Requested by ${escapeHtml(spec.requestor)}</p>` : '';
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(spec.title)}</h2>`,
    requestor,
    spec.details !== '' ? `<div>${await renderMarkdown(spec.details)}</div>` : '',
    item,
    `<p>${buttons}</p>`,
    `<p style="color:#666;font-size:small">Approval ${escapeHtml(approvalId)}. Each button opens a confirmation page; the links are personal to ${escapeHtml(assignee)} and work once.</p>`,
    '</body></html>',
  ].join('\n');
  const text = [
    spec.title,
    spec.requestor !== '' ? `Requested by ${spec.requestor}` : '',
    spec.details,
    spec.itemLink !== '' ? `${spec.itemLinkDescription || 'Item'}: ${spec.itemLink}` : '',
    ...links.map((l) => `${l.option}: ${l.url}`),
    `Approval: ${approvalUrl}`,
  ]
    .filter((line) => line !== '')
    .join('\n\n');
  return {
    to: assignee,
    subject: `Approval requested: ${spec.title}`,
    html,
    text,
    messageId: messageIdFor(`approval:${approvalId}:${assignee.toLowerCase()}`),
  };
}

export function plainMail(mail: MailSpec, idempotencyKey: string): SendMailOptions {
  return {
    to: mail.to,
    ...(mail.cc.length ? { cc: mail.cc } : {}),
    ...(mail.bcc.length ? { bcc: mail.bcc } : {}),
    ...(mail.replyTo.length ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    ...(mail.isHtml ? { html: mail.body } : { text: mail.body }),
    priority: mail.importance,
    messageId: messageIdFor(`mail:${idempotencyKey}`),
  };
}

/**
 * One JSON body both Slack and Teams incoming webhooks accept: Slack reads `text` (and `blocks`),
 * Teams reads the MessageCard fields. Channel messages carry no personal response links.
 */
export function chatMessage(approvalId: string, spec: ApprovalSpec, approvalUrl: string): Record<string, unknown> {
  const summary = `Approval requested: ${spec.title} (assigned to ${spec.assignedTo.join(', ')})`;
  const link = spec.itemLink !== '' && isSafeHref(spec.itemLink) ? spec.itemLink : undefined;
  return {
    text: link ? `${summary}\n${link}` : summary,
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary,
    title: spec.title,
    themeColor: '0B5CAD',
    sections: [
      {
        activityTitle: `Approval ${approvalId}`,
        text: spec.details.slice(0, 2000),
        facts: [
          { name: 'Assigned to', value: spec.assignedTo.join('; ') },
          ...(spec.requestor !== '' ? [{ name: 'Requested by', value: spec.requestor }] : []),
        ],
      },
    ],
    potentialAction: [
      { '@type': 'OpenUri', name: 'Open approval', targets: [{ os: 'default', uri: approvalUrl }] },
      ...(link
        ? [
            {
              '@type': 'OpenUri',
              name: spec.itemLinkDescription || 'Open item',
              targets: [{ os: 'default', uri: link }],
            },
          ]
        : []),
    ],
  };
}

export interface NotifierDeps {
  mailer: Mailer | undefined;
  chatWebhookUrl: string | undefined;
  publicBaseUrl: () => string;
  linkSecret: string;
  linkTtlMs: number;
  now: () => number;
  log: ApprovalsLogger;
  fetch: typeof fetch;
  /** A request mail could not be sent, for the audit log. */
  audit(id: string, details: { assignee: string; error: string }): Promise<void>;
}

export class RequestNotifier {
  constructor(private readonly deps: NotifierDeps) {}

  approvalUrl(id: string): string {
    return `${this.deps.publicBaseUrl().replace(/\/$/, '')}/api/v1/approvals/${encodeURIComponent(id)}`;
  }

  responseLinks(id: string, spec: ApprovalSpec, assignee: string): ResponseLink[] {
    const base = this.deps.publicBaseUrl().replace(/\/$/, '');
    const expiresAt = this.deps.now() + this.deps.linkTtlMs;
    return spec.responseOptions.map((option) => ({
      option,
      url: `${base}/approvals/respond?token=${encodeURIComponent(
        createLinkToken(this.deps.linkSecret, { approvalId: id, assignee, option, expiresAt }),
      )}`,
    }));
  }

  async notifyAssignee(id: string, spec: ApprovalSpec, assignee: string): Promise<void> {
    if (!this.deps.mailer) return;
    try {
      const links = this.responseLinks(id, spec, assignee);
      await this.deps.mailer.send(await approvalMail(id, spec, assignee, links, this.approvalUrl(id)));
    } catch (error) {
      // A mail outage must not lose the approval: it stays answerable through the API.
      this.deps.log.warn({ approvalId: id, assignee, err: String(error) }, 'approval mail failed');
      await this.deps.audit(id, { assignee, error: String(error) });
    }
  }

  async notifyChat(id: string, spec: ApprovalSpec): Promise<void> {
    if (!this.deps.chatWebhookUrl) return;
    try {
      const res = await this.deps.fetch(this.deps.chatWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatMessage(id, spec, this.approvalUrl(id))),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`chat webhook answered ${res.status}`);
    } catch (error) {
      this.deps.log.warn({ approvalId: id, err: String(error) }, 'chat notification failed');
    }
  }
}
