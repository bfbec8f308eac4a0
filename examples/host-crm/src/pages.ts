/** The CRM's pages: customers, one customer (orders, notes, requests, run a flow), requests, setup. */
import { button, html, recordForm, type Html } from './html.js';
import type { Row } from './tables.js';

export interface FlowItem {
  id: string;
  name: string;
  state?: string;
}

export interface TemplateItem {
  id: string;
  name: string;
  description?: string;
  /** Template parameters the instantiate form asks for. */
  parameters: string[];
}

export interface SetupView {
  flowbridgeUrl: string;
  /** False when FLOWBRIDGE_TOKEN is missing: nothing can be set up. */
  configured: boolean;
  connector?: { name: string; version?: number };
  connection?: { name: string; status?: string };
  templates: TemplateItem[];
  flows: FlowItem[];
  /** Why Flowbridge could not be read (unreachable, refused). */
  problem?: string;
}

const money = (value: unknown): string => Number(value ?? 0).toFixed(2);

export function customersPage(customers: Row[]): Html {
  const rows = customers.map(
    (c) =>
      html`<tr>
        <td><a href="/customers/${c.id}">${c.name}</a></td>
        <td>${c.company}</td>
        <td>${c.email}</td>
        <td>${c.status}</td>
      </tr>`,
  );
  return html`<table>
      <thead>
        <tr>
          <th>Name</th>
          <th>Company</th>
          <th>Email</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <fieldset>
      <legend>New customer</legend>
      ${recordForm('customers', '/customers', { submit: 'Create customer' })}
    </fieldset>`;
}

export interface CustomerView {
  customer: Row;
  orders: Row[];
  notes: Row[];
  requests: Row[];
  /** Instant flows on this CRM's connector, or why they could not be listed. */
  instantFlows: FlowItem[] | { problem: string };
}

export function customerPage(view: CustomerView): Html {
  const { customer: c } = view;
  const orders = view.orders.map(
    (o) =>
      html`<tr>
        <td>#${o.id}</td>
        <td>${o.description}</td>
        <td>${money(o.amount)}</td>
        <td>${o.status}</td>
        <td>${button(`/orders/${o.id}/delete`, 'Delete')}</td>
      </tr>`,
  );
  const requests = view.requests.map(
    (r) =>
      html`<tr>
        <td>#${r.id}</td>
        <td>${r.kind} ${r.percent}%</td>
        <td>${r.reason}</td>
        <td class="status-${r.status}">${r.status}</td>
        <td>${r.decidedBy}</td>
      </tr>`,
  );
  const notes = view.notes.map((n) => html`<li><strong>${n.author}</strong> (${n.createdAt}): ${n.body}</li>`);
  return html`<section>
      <h2>Details</h2>
      ${recordForm('customers', `/customers/${c.id}`, { row: c, submit: 'Save' })}
      ${button(`/customers/${c.id}/delete`, 'Delete customer')}
    </section>
    <section>
      <h2>Run a flow on this customer</h2>
      ${runForm(c, view.instantFlows)}
    </section>
    <section>
      <h2>Orders</h2>
      <table>
        ${orders}
      </table>
      ${recordForm('orders', '/orders', { hidden: { customerId: c.id }, submit: 'Add order' })}
    </section>
    <section>
      <h2>Requests</h2>
      <table>
        ${requests}
      </table>
      ${recordForm('requests', '/requests', { hidden: { customerId: c.id }, submit: 'Submit request' })}
    </section>
    <section>
      <h2>Notes</h2>
      <ul>
        ${notes}
      </ul>
      ${recordForm('notes', '/notes', { hidden: { customerId: c.id, author: 'crm user' }, submit: 'Add note' })}
    </section>`;
}

function runForm(customer: Row, flows: CustomerView['instantFlows']): Html {
  if (!Array.isArray(flows)) return html`<p class="error">${flows.problem}</p>`;
  if (flows.length === 0) {
    return html`<p>No instant flows yet: create one from a template on the <a href="/setup">setup page</a>.</p>`;
  }
  const options = flows.map((f) => html`<option value="${f.id}">${f.name}</option>`);
  return html`<form method="post" action="/customers/${customer.id}/run">
    <label
      >Flow
      <select name="flowId">
        ${options}
      </select></label
    >
    <button>Run</button>
  </form>`;
}

export function requestsPage(requests: Row[], customers: Map<number, Row>): Html {
  const rows = requests.map((r) => {
    const customer = customers.get(Number(r.customerId));
    return html`<tr>
      <td>#${r.id}</td>
      <td><a href="/customers/${r.customerId}">${customer?.name ?? r.customerId}</a></td>
      <td>${r.kind} ${r.percent}%</td>
      <td>${r.reason}</td>
      <td class="status-${r.status}">${r.status}</td>
      <td>${r.decidedBy}</td>
      <td>${r.approvalId ? html`<code>${r.approvalId}</code>` : ''}</td>
    </tr>`;
  });
  return html`<p>
      Requests are settled by approvals in Flowbridge: a flow asks for the approval, and Flowbridge calls this CRM back,
      signed, when it ends.
    </p>
    <table>
      <thead>
        <tr>
          <th>Request</th>
          <th>Customer</th>
          <th>What</th>
          <th>Reason</th>
          <th>Status</th>
          <th>Decided by</th>
          <th>Approval</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

export function setupPage(view: SetupView): Html {
  if (!view.configured) {
    return html`<p class="error">
      Set <code>FLOWBRIDGE_TOKEN</code> (and <code>FLOWBRIDGE_URL</code>) and restart the CRM to connect it to
      Flowbridge.
    </p>`;
  }
  const connected = view.connector && view.connection;
  const templates = view.templates.map(
    (t) =>
      html`<li>
        <form method="post" action="/setup/templates/${t.id}/instantiate">
          <strong>${t.name}</strong> ${t.description ?? ''}<br />
          <label>Flow name <input name="name" required value="${t.name}" /></label>
          ${t.parameters.map((p) => html`<label>${p} <input name="param.${p}" required /></label>`)}
          <button>Create flow</button>
        </form>
      </li>`,
  );
  const flows = view.flows.map(
    (f) =>
      html`<li>
        ${f.name} <small>(${f.state ?? ''}, <code>${f.id}</code>)</small>
      </li>`,
  );
  return html`<p>Flowbridge at <code>${view.flowbridgeUrl}</code>.</p>
    ${view.problem ? html`<p class="error">${view.problem}</p>` : ''}
    <section>
      <h2>1. Connect</h2>
      <p>
        Connector:
        ${view.connector ? html`<code>${view.connector.name}</code> version ${view.connector.version ?? ''}` : 'not imported'}.
        Connection:
        ${view.connection ? html`<code>${view.connection.name}</code> ${view.connection.status ?? ''}` : 'none'}.
      </p>
      ${button('/setup/connect', connected ? 'Connect again (new connector version, templates)' : 'Connect this CRM to Flowbridge')}
    </section>
    <section>
      <h2>2. Create a flow from a template</h2>
      <ul>
        ${templates}
      </ul>
    </section>
    <section>
      <h2>Flows using this CRM</h2>
      <ul>
        ${flows}
      </ul>
    </section>`;
}
