import { test } from 'node:test';
import assert from 'node:assert/strict';
import { query } from './api.js';
import { matchRoute } from './router.js';

test('the bookmarkable paths route to their pages', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['/', 'home', undefined],
    ['/flows', 'flows', undefined],
    ['/flows/', 'flows', undefined],
    ['/flows/abc-1', 'flow', 'abc-1'],
    ['/runs/r%201', 'run', 'r 1'],
    ['/approvals', 'approvals', undefined],
    ['/admin', 'admin', undefined],
    ['/setup', 'setup', undefined],
    ['/flows/a/b', 'notFound', undefined],
    ['/elsewhere', 'notFound', undefined],
  ];
  for (const [path, name, id] of cases) {
    const r = matchRoute(path);
    assert.deepEqual([r.name, r.id], [name, id], path);
  }
});

test('query strings leave out what is not set', () => {
  assert.equal(query({ flowId: 'f 1', status: '', limit: 20, cursor: undefined, x: null }), '?flowId=f+1&limit=20');
  assert.equal(query({}), '');
});
