import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortableId } from './ids.js';

test('sortable ids: UUIDv7 layout, unique, in creation order also within one millisecond and when the clock steps back', () => {
  const ids = [
    ...Array.from({ length: 2000 }, () => sortableId(1_700_000_000_000)),
    ...Array.from({ length: 10 }, () => sortableId(1_699_999_999_000)),
    sortableId(1_700_000_000_500),
  ];
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
});
