/**
 * The small server-rendered pages behind the one-click links: a confirmation page (GET, changes
 * nothing) whose form POSTs the response, and result pages. Everything shown is escaped.
 */
import { escapeHtml, isSafeHref, renderMarkdown } from './markdown.js';
import type { ApprovalSpec } from './types.js';

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}textarea{width:100%;min-height:6rem}button{padding:.5rem 1.5rem;font-size:1rem}</style>',
    '</head><body>',
    body,
    '</body></html>',
  ].join('\n');
}

export async function confirmPage(input: {
  spec: ApprovalSpec;
  option: string;
  assignee: string;
  token: string;
}): Promise<string> {
  const { spec } = input;
  const item =
    spec.itemLink !== '' && isSafeHref(spec.itemLink)
      ? `<p><a href="${escapeHtml(spec.itemLink)}">${escapeHtml(spec.itemLinkDescription || spec.itemLink)}</a></p>`
      : '';
  return page(
    `Confirm: ${spec.title}`,
    [
      `<h1>${escapeHtml(spec.title)}</h1>`,
      spec.details !== '' ? `<div>${await renderMarkdown(spec.details)}</div>` : '',
      item,
      `<p>Responding as <strong>${escapeHtml(input.assignee)}</strong>: <strong>${escapeHtml(input.option)}</strong></p>`,
      '<form method="post" action="/approvals/respond">',
      `<input type="hidden" name="token" value="${escapeHtml(input.token)}">`,
      '<p><label for="comments">Comments (optional)</label><br><textarea id="comments" name="comments" maxlength="4000"></textarea></p>',
      `<p><button type="submit">Confirm: ${escapeHtml(input.option)}</button></p>`,
      '</form>',
    ].join('\n'),
  );
}

export type ResultKind = 'recorded' | 'used' | 'expired' | 'invalid' | 'completed' | 'notAssigned';

const results: Record<ResultKind, { title: string; text: string }> = {
  recorded: { title: 'Response recorded', text: 'Thank you. Your response has been recorded.' },
  used: {
    title: 'Link already used',
    text: 'You have already responded to this approval; this link cannot be used again.',
  },
  expired: {
    title: 'Link expired',
    text: 'This response link has expired. Ask the requestor to send the approval again.',
  },
  invalid: {
    title: 'Invalid link',
    text: 'This response link is not valid. Check that you opened the whole link from the mail.',
  },
  completed: {
    title: 'Approval already completed',
    text: 'This approval has already been completed or cancelled; no response is needed.',
  },
  notAssigned: {
    title: 'Not assigned',
    text: 'This approval is no longer assigned to you (it may have been reassigned).',
  },
};

export function resultPage(kind: ResultKind, extra?: string): string {
  const r = results[kind];
  return page(
    r.title,
    `<h1>${escapeHtml(r.title)}</h1>\n<p>${escapeHtml(r.text)}</p>${extra ? `\n<p>${escapeHtml(extra)}</p>` : ''}`,
  );
}

export function statusOfResult(kind: ResultKind): number {
  switch (kind) {
    case 'recorded':
      return 200;
    case 'used':
    case 'completed':
      return 409;
    case 'expired':
      return 410;
    case 'invalid':
      return 400;
    case 'notAssigned':
      return 403;
  }
}
