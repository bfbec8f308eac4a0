/**
 * Approval details are Markdown written by flow authors from run data (form answers, list items),
 * so they are untrusted: raw HTML is shown as text and only http(s)/mailto links survive.
 */
import type { Marked } from 'marked';

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

// marked is loaded when the first details text is rendered (a page or a mail), not at server start.
let markdown: Promise<Marked> | undefined;
function markdownRenderer(): Promise<Marked> {
  markdown ??= import('marked').then(
    ({ Marked }) =>
      new Marked({
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
      }),
  );
  return markdown;
}

export async function renderMarkdown(source: string): Promise<string> {
  return (await markdownRenderer()).parse(source, { async: false });
}
