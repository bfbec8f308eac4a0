// The pages escape what they show (records come from people and from flows), and draw their forms
// from tables.ts: system fields never appear in a form, fixed ones only when creating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, recordForm, toText } from '../src/html.js';
import { customerPage } from '../src/pages.js';
import type { Row } from '../src/tables.js';

const at = '2026-12-06T10:00:00.000Z';
const row = (fields: Record<string, string | number | null>): Row => ({
  id: 1,
  createdAt: at,
  updatedAt: at,
  ...fields,
});

test('interpolated values are escaped, nested Html is not', () => {
  const evil = `<script>alert("x")</script>'&`;
  const out = toText(html`<p title="${evil}">${evil} ${[html`<b>${evil}</b>`]}</p>`);
  assert.equal(
    out,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp; <b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;</b></p>',
  );
});

test('forms: system fields never, fixed fields only when creating, selects for closed sets', () => {
  const fresh = toText(recordForm('requests', '/requests', { hidden: { customerId: 7 }, submit: 'Submit' }));
  assert.match(fresh, /name="customerId" value="7"/);
  assert.match(fresh, /<select name="kind">/);
  for (const field of ['status', 'approvalId', 'decidedBy']) assert.ok(!fresh.includes(`name="${field}"`), field);
  const edit = toText(
    recordForm('orders', '/orders/1', { row: row({ customerId: 7, amount: 5, status: 'paid' }), submit: 'Save' }),
  );
  assert.ok(!edit.includes('name="customerId"'), 'an order does not move to another customer');
  assert.match(edit, /<option selected>paid<\/option>/);
});

test('a customer page shows its records escaped and offers only the instant flows it was given', () => {
  const page = toText(
    customerPage({
      customer: row({ name: '<Ada>', email: null, company: null, status: 'lead' }),
      orders: [],
      notes: [row({ customerId: 1, body: '<img src=x onerror=alert(1)>', author: 'flowbridge' })],
      requests: [],
      instantFlows: [{ id: 'f-1', name: 'Mark a customer as VIP' }],
    }),
  );
  assert.ok(!page.includes('<img'), 'a note is text');
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.match(page, /<option value="f-1">Mark a customer as VIP<\/option>/);
  const offline = toText(
    customerPage({
      customer: row({ name: 'Ada', email: null, company: null, status: 'lead' }),
      orders: [],
      notes: [],
      requests: [],
      instantFlows: { problem: 'Flowbridge is unreachable' },
    }),
  );
  assert.match(offline, /Flowbridge is unreachable/);
  assert.ok(!offline.includes('/run"'), 'no run form without flows');
});
