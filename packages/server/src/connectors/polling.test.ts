import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPollRequest, pollOutcome, type PollState } from './polling.js';
import { loadFixture, type FixtureName } from './test-support.js';

const feathery = { parameters: { api_key: 'FKEY' } };
const pure = { parameters: { api_key: 'PKEY' } };

describe('buildPollRequest', () => {
  const cases: {
    name: string;
    fixture: FixtureName;
    inputs: unknown;
    state?: PollState;
    url?: string;
    headers?: Record<string, string>;
    error?: string;
  }[] = [
    {
      name: 'the first poll: the trigger operation with its parameters (Feathery, pollingtrigger policy)',
      fixture: 'feathery-forms',
      inputs: { host: { operationId: 'FormCompletion' }, parameters: { form_key: 'signup' } },
      url: 'https://api.feathery.io/api/trigger/power-automate/poll/form_completion/?form_key=signup',
      headers: { Authorization: 'FKEY' },
    },
    {
      name: 'the next poll carries the state as query parameters',
      fixture: 'feathery-forms',
      inputs: { host: { operationId: 'FormCompletion' }, parameters: { form_key: 'signup' } },
      state: { values: { last_requested_at: '2024-05-01T10:00:00Z' } },
      url: 'https://api.feathery.io/api/trigger/power-automate/poll/form_completion/?form_key=signup&last_requested_at=2024-05-01T10%3A00%3A00Z',
    },
    {
      name: 'state the operation does not declare still goes in the query',
      fixture: 'feathery-forms',
      inputs: { host: { operationId: 'DataReceived' }, parameters: { form_key: 'f' } },
      state: { values: { cursor: 'c1' } },
      url: 'https://api.feathery.io/api/trigger/power-automate/poll/data_received/?form_key=f&cursor=c1',
    },
    {
      name: 'a plain polling trigger (Pure Leads)',
      fixture: 'pure-leads',
      inputs: { host: { operationId: 'Created-Lead-Submission' } },
      url: 'https://pureleads.co/api/trigger/contacts',
      headers: { Authorization: 'PKEY' },
    },
    {
      name: 'after a Location: that URL, with the key (same origin)',
      fixture: 'pure-leads',
      inputs: { host: { operationId: 'Created-Lead-Submission' } },
      state: { nextUrl: 'https://pureleads.co/api/trigger/contacts?since=17' },
      url: 'https://pureleads.co/api/trigger/contacts?since=17',
      headers: { Authorization: 'PKEY' },
    },
    {
      name: 'a Location elsewhere gets no key',
      fixture: 'pure-leads',
      inputs: { host: { operationId: 'Created-Lead-Submission' } },
      state: { nextUrl: 'https://cdn.example.com/page2' },
      url: 'https://cdn.example.com/page2',
      headers: {},
    },
    {
      name: 'a missing required parameter',
      fixture: 'feathery-forms',
      inputs: { host: { operationId: 'FormCompletion' }, parameters: {} },
      error: 'MissingRequiredParameters',
    },
    {
      name: 'an action',
      fixture: 'pure-leads',
      inputs: { host: { operationId: 'New-Lead-Submission' } },
      error: 'NotATrigger',
    },
    {
      name: 'a webhook trigger',
      fixture: 'wpforms',
      inputs: { host: { operationId: 'CreateFlow' } },
      error: 'NotAPollingTrigger',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const connection = c.fixture === 'feathery-forms' ? feathery : pure;
      const result = buildPollRequest(loadFixture(c.fixture), c.inputs, connection, c.state);
      if (c.error) {
        assert.equal(result.ok ? 'ok' : result.error.code, c.error);
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value.method, 'GET');
      assert.equal(result.value.url, c.url);
      if (c.headers) assert.deepEqual(result.value.headers, c.headers);
    });
});

describe('pollOutcome', () => {
  const cases: {
    name: string;
    fixture: FixtureName;
    operationId: string;
    response: { statusCode: number; headers?: Record<string, string>; body?: unknown };
    state?: PollState;
    fire: boolean;
    items: unknown[];
    next: PollState;
    retryAfterSeconds?: number;
  }[] = [
    {
      name: 'pollingtrigger: items at the data path, state from the response',
      fixture: 'feathery-forms',
      operationId: 'FormCompletion',
      response: { statusCode: 200, body: { requested_at: 'T2', results: [{ id: 1 }, { id: 2 }] } },
      state: { values: { last_requested_at: 'T1' } },
      fire: true,
      items: [{ id: 1 }, { id: 2 }],
      next: { values: { last_requested_at: 'T2' } },
    },
    {
      name: 'pollingtrigger: nothing new still moves the state',
      fixture: 'feathery-forms',
      operationId: 'FormCompletion',
      response: { statusCode: 200, body: { requested_at: 'T3', results: [] } },
      state: { values: { last_requested_at: 'T2' } },
      fire: false,
      items: [],
      next: { values: { last_requested_at: 'T3' } },
    },
    {
      name: 'pollingtrigger: a response without the value keeps the old state',
      fixture: 'feathery-forms',
      operationId: 'FormCompletion',
      response: { statusCode: 200, body: { results: [] } },
      state: { values: { last_requested_at: 'T2' } },
      fire: false,
      items: [],
      next: { values: { last_requested_at: 'T2' } },
    },
    {
      name: 'batch: the OData value array, Location and Retry-After kept',
      fixture: 'pure-leads',
      operationId: 'Created-Lead-Submission',
      response: {
        statusCode: 200,
        headers: { location: 'https://pureleads.co/api/trigger/contacts?since=9', 'Retry-After': '30' },
        body: { value: [{ id: 9 }] },
      },
      fire: true,
      items: [{ id: 9 }],
      next: { nextUrl: 'https://pureleads.co/api/trigger/contacts?since=9' },
      retryAfterSeconds: 30,
    },
    {
      name: '202: nothing new',
      fixture: 'pure-leads',
      operationId: 'Created-Lead-Submission',
      response: { statusCode: 202, headers: { Location: 'https://pureleads.co/api/trigger/contacts?since=9' } },
      fire: false,
      items: [],
      next: { nextUrl: 'https://pureleads.co/api/trigger/contacts?since=9' },
    },
    {
      name: 'Retry-After as an HTTP date',
      fixture: 'pure-leads',
      operationId: 'Created-Lead-Submission',
      response: { statusCode: 202, headers: { 'retry-after': 'Thu, 01 Jan 1970 00:01:00 GMT' } },
      fire: false,
      items: [],
      next: {},
      retryAfterSeconds: 45,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const outcome = pollOutcome(
        loadFixture(c.fixture),
        c.operationId,
        { statusCode: c.response.statusCode, headers: c.response.headers ?? {}, body: c.response.body },
        c.state,
        15_000,
      );
      assert.equal(outcome.fire, c.fire);
      assert.deepEqual(outcome.items, c.items);
      assert.deepEqual(outcome.state, c.next);
      assert.equal(outcome.retryAfterSeconds, c.retryAfterSeconds);
    });

  it('a single trigger fires once with the whole body', () => {
    const connector = loadFixture('pure-leads');
    connector.operations[1]!.trigger!.cardinality = 'single';
    const outcome = pollOutcome(connector, 'Created-Lead-Submission', {
      statusCode: 200,
      headers: {},
      body: { value: [1, 2] },
    });
    assert.deepEqual(outcome.items, [{ value: [1, 2] }]);
  });
});
