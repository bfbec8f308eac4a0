/** HTML helpers for the server-rendered pages: escaping by default, one layout, forms from tables.ts. */
import { fieldsOf, type FieldSpec, type Row, type TableName } from './tables.js';

const SAFE = Symbol('safe html');
export interface Html {
  [SAFE]: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escape = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const raw = (text: string): Html => ({ [SAFE]: text });
const isHtml = (value: unknown): value is Html => typeof value === 'object' && value !== null && SAFE in value;

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value[SAFE];
  if (value === false || value === undefined || value === null) return '';
  return escape(value);
}

/** Tagged template: interpolated values are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => (out += render(value) + (strings[i + 1] ?? '')));
  return raw(out);
}

export function toText(page: Html): string {
  return page[SAFE];
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#1d2329}header{background:#234;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff}main{padding:1rem 1.5rem;max-width:70rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}
form.inline{display:inline}fieldset{border:1px solid #ccc;margin:.8rem 0}label{display:inline-block;margin:.2rem .8rem .2rem 0}.flash{background:#eef6ee;border:1px solid #9c9;padding:.5rem}
.error{background:#fbeaea;border:1px solid #d99;padding:.5rem}.status-pending{color:#a60}.status-approved{color:#070}.status-rejected{color:#a00}code{background:#f3f3f3}`;

export function layout(title: string, body: Html, notice?: { flash?: string; error?: string }): string {
  return toText(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>${title} · Host CRM</title>
          <style>
            ${raw(STYLE)}
          </style>
        </head>
        <body>
          <header>
            <strong>Host CRM</strong><a href="/">Customers</a><a href="/requests">Requests</a
            ><a href="/setup">Flowbridge setup</a>
          </header>
          <main>
            <h1>${title}</h1>
            ${notice?.flash ? html`<p class="flash" role="status">${notice.flash}</p>` : ''}
            ${notice?.error ? html`<p class="error" role="alert">${notice.error}</p>` : ''} ${body}
          </main>
        </body>
      </html>`,
  );
}

function input(name: string, spec: FieldSpec, value: unknown): Html {
  if (spec.values) {
    const options = spec.values.map((v) => html`<option ${v === value ? raw('selected') : ''}>${v}</option>`);
    return html`<label
      >${spec.label}
      <select name="${name}">
        ${options}
      </select></label
    >`;
  }
  const type = spec.type === 'number' ? 'number' : 'text';
  const step = spec.type === 'number' ? raw(' step="any"') : '';
  const required = spec.required ? raw(' required') : '';
  return html`<label
    >${spec.label} <input name="${name}" type="${type}" ${step}${required} value="${value ?? ''}"
  /></label>`;
}

/** A form for the editable fields of a table: new (no row) or edit (row). */
export function recordForm(
  table: TableName,
  action: string,
  options: { row?: Row; hidden?: Record<string, unknown>; submit: string },
): Html {
  const fields = Object.entries(fieldsOf(table)).filter(
    ([name, spec]) => !spec.system && !(options.hidden && name in options.hidden) && !(options.row && spec.fixed),
  );
  const hidden = Object.entries(options.hidden ?? {}).map(
    ([n, v]) => html`<input type="hidden" name="${n}" value="${v}" />`,
  );
  return html`<form method="post" action="${action}">
    ${hidden} ${fields.map(([name, spec]) => input(name, spec, options.row?.[name] ?? spec.default))}
    <button>${options.submit}</button>
  </form>`;
}

export function button(action: string, label: string, hidden: Record<string, string> = {}): Html {
  const fields = Object.entries(hidden).map(([n, v]) => html`<input type="hidden" name="${n}" value="${v}" />`);
  return html`<form class="inline" method="post" action="${action}">${fields}<button>${label}</button></form>`;
}
