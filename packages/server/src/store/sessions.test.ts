// store.sessions on both backends (as contract.test.ts does for the rest of the store): password
// hashes, sessions and their expiry, sign-in failures. Every case gets a fresh database.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlStore } from './sql-store.js';
import { postgresAvailable, postgresBackend, sqliteBackend } from './test-support/backends.js';

const pgUp = await postgresAvailable();
const T = Date.UTC(2026, 0, 1);

type Case = [name: string, fn: (store: SqlStore) => Promise<void>];

const session = (idHash: string, userId: string, createdAt: number, ttl = 1000) => ({
  idHash,
  userId,
  csrfToken: `csrf-${idHash}`,
  createdAt,
  expiresAt: createdAt + ttl,
  lastSeenAt: createdAt,
});

const cases: Case[] = [
  [
    'a password hash is set, replaced and removed; users without one have none',
    async (store) => {
      const u = await store.createUser({ email: 'a@example.com', displayName: 'A', role: 'admin' });
      const v = await store.createUser({ email: 'b@example.com', displayName: 'B', role: 'user' });
      assert.equal(await store.sessions.getPasswordHash(u.id), undefined);
      await store.sessions.setPasswordHash(u.id, 'h1', T);
      await store.sessions.setPasswordHash(u.id, 'h2', T + 1);
      assert.equal(await store.sessions.getPasswordHash(u.id), 'h2');
      assert.equal(await store.sessions.getPasswordHash(v.id), undefined);
      await store.sessions.setPasswordHash(u.id, null, T + 2);
      assert.equal(await store.sessions.getPasswordHash(u.id), undefined);
    },
  ],
  [
    'sessions: found by hash, extended, deleted one by one or per user; a new one drops expired ones',
    async (store) => {
      const u = await store.createUser({ email: 'a@example.com', displayName: 'A', role: 'admin' });
      const v = await store.createUser({ email: 'b@example.com', displayName: 'B', role: 'user' });
      await store.sessions.createSession(session('s1', u.id, T));
      await store.sessions.createSession(session('s2', u.id, T));
      await store.sessions.createSession(session('s3', v.id, T));
      assert.deepEqual(await store.sessions.getSession('s1'), session('s1', u.id, T));
      assert.equal(await store.sessions.getSession('nope'), undefined);
      await store.sessions.extendSession('s1', T + 5000, T + 10);
      const s1 = await store.sessions.getSession('s1');
      assert.deepEqual([s1?.expiresAt, s1?.lastSeenAt], [T + 5000, T + 10]);
      assert.equal(await store.sessions.deleteUserSessions(u.id, 's1'), 1);
      assert.equal(await store.sessions.getSession('s2'), undefined);
      assert.ok(await store.sessions.getSession('s1'));
      assert.equal(await store.sessions.deleteSession('s1'), true);
      assert.equal(await store.sessions.deleteSession('s1'), false);
      // s3 expired at T + 1000: creating another session after that removes it.
      await store.sessions.createSession(session('s4', v.id, T + 2000));
      assert.equal(await store.sessions.getSession('s3'), undefined);
      assert.ok(await store.sessions.getSession('s4'));
      assert.equal(await store.sessions.deleteUserSessions(v.id), 1);
    },
  ],
  [
    'sign-in failures: counted per email since a time, old ones forgotten, cleared',
    async (store) => {
      const s = store.sessions;
      assert.deepEqual(await s.signInFailures('a@example.com', 0), { count: 0, lastAt: null });
      await s.recordSignInFailure('a@example.com', T, 0);
      await s.recordSignInFailure('a@example.com', T + 10, 0);
      await s.recordSignInFailure('b@example.com', T + 20, 0);
      assert.deepEqual(await s.signInFailures('a@example.com', 0), { count: 2, lastAt: T + 10 });
      assert.deepEqual(await s.signInFailures('a@example.com', T + 5), { count: 1, lastAt: T + 10 });
      // Recording forgets what is older than the window, whoever it was for.
      await s.recordSignInFailure('b@example.com', T + 30, T + 15);
      assert.deepEqual(await s.signInFailures('a@example.com', 0), { count: 0, lastAt: null });
      assert.deepEqual(await s.signInFailures('b@example.com', 0), { count: 2, lastAt: T + 30 });
      await s.clearSignInFailures('b@example.com');
      assert.deepEqual(await s.signInFailures('b@example.com', 0), { count: 0, lastAt: null });
    },
  ],
];

for (const backend of [sqliteBackend, postgresBackend]) {
  const skip = backend.name === 'postgres' && !pgUp ? 'PostgreSQL test server not reachable' : false;
  describe(`store.sessions: ${backend.name}`, { skip }, () => {
    for (const [name, fn] of cases) {
      test(name, async () => {
        const f = await backend.fresh();
        try {
          await fn(f.store);
        } finally {
          await f.dispose();
        }
      });
    }
  });
}
