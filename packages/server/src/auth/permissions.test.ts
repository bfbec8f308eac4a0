import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS, authorize, toRole } from './permissions.js';
import type { Permission, Principal, Role } from './types.js';

// Rows: role; columns: the permissions it holds (everything else is refused).
const MATRIX: Array<[Role, Permission[]]> = [
  ['admin', ['flows.read', 'flows.write', 'runs.read', 'runs.operate', 'approvals.respond', 'admin']],
  ['maker', ['flows.read', 'flows.write', 'runs.read', 'runs.operate', 'approvals.respond']],
  ['operator', ['flows.read', 'runs.read', 'runs.operate', 'approvals.respond']],
  ['user', ['approvals.respond']],
];

const user = (roles: Record<string, Role>, isAdmin = false): Principal => ({ kind: 'user', id: 'u', roles, isAdmin });

for (const [role, allowed] of MATRIX) {
  for (const permission of PERMISSIONS) {
    const expected = allowed.includes(permission);
    test(`${role} ${expected ? 'may' : 'may not'} ${permission} in its environment, and nothing elsewhere`, () => {
      const p = user({ sales: role });
      assert.equal(authorize(p, permission, 'sales'), expected);
      assert.equal(authorize(p, permission, 'default'), false);
      assert.equal(authorize(p, permission, 'hr'), false);
    });
  }
}

test('an organisation admin may do everything in every environment', () => {
  const p = user({ default: 'admin' }, true);
  for (const permission of PERMISSIONS) assert.equal(authorize(p, permission, 'anywhere'), true);
});

test('roles per environment are independent', () => {
  const p = user({ default: 'user', sales: 'maker' });
  assert.equal(authorize(p, 'flows.write', 'sales'), true);
  assert.equal(authorize(p, 'flows.write', 'default'), false);
  assert.equal(authorize(p, 'approvals.respond', 'default'), true);
});

test('stored role names map onto ours', () => {
  assert.equal(toRole('Admin'), 'admin');
  assert.equal(toRole('Maker'), 'maker');
  assert.equal(toRole('Viewer'), 'user');
  assert.equal(toRole('none'), undefined);
  assert.equal(toRole(3), undefined);
});
