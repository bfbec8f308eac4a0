/**
 * Approval details are Markdown written by flow authors from run data (form answers, list items),
 * so they are untrusted: raw HTML is shown as text and only http(s)/mailto links survive.
 */
import { Marked } from 'marked';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function isSafeHref(href: string): boolean {
  return /^(https?:|mailto:)/i.test(href.trim());
}

const markdown = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    link({ href, text }) {
      return isSafeHref(href) ? false : escapeHtml(text);
    },
    image({ href, text }) {
      return isSafeHref(href) ? false : escapeHtml(text);
    },
  },
});

export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false });
}
