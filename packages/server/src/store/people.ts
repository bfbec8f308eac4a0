// The people aggregate over the driver: users, access tokens, OAuth clients and the audit log.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, pageLimit } from './rows.js';
import { DEFAULT_ENVIRONMENT_ID } from './flow-types.js';
import type { AccessToken, AuditEntry, OAuthClient, PeopleStore, User } from './people-types.js';

function toUser(r: Row): User {
  return {
    id: String(r.id),
    email: String(r.email),
    displayName: String(r.display_name),
    role: String(r.role),
    createdAt: n(r.created_at),
    disabled: n(r.disabled) !== 0,
  };
}

function toToken(r: Row): AccessToken {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    hash: String(r.hash),
    name: String(r.name),
    createdAt: n(r.created_at),
    lastUsedAt: nOrNull(r.last_used_at),
  };
}

function toClient(r: Row): OAuthClient {
  return {
    id: String(r.id),
    secretHash: String(r.secret_hash),
    environmentId: String(r.environment_id),
    roles: fromJson(r.roles) as string[],
    createdAt: n(r.created_at),
  };
}

function toAuditEntry(r: Row): AuditEntry {
  return {
    id: n(r.id),
    at: n(r.at),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    details: fromJson(r.details),
  };
}

export function peopleStore({ driver, now }: StoreContext): PeopleStore {
  return {
    async createUser(input) {
      const user: User = {
        id: input.id ?? randomUUID(),
        email: input.email.trim().toLowerCase(),
        displayName: input.displayName,
        role: input.role,
        createdAt: now(),
        disabled: false,
      };
      await driver.run(
        'INSERT INTO users (id, email, display_name, role, created_at, disabled) VALUES (?, ?, ?, ?, ?, 0)',
        [user.id, user.email, user.displayName, user.role, user.createdAt],
      );
      return user;
    },

    async getUser(id) {
      const [r] = await driver.all('SELECT * FROM users WHERE id = ?', [id]);
      return r && toUser(r);
    },

    async getUserByEmail(email) {
      const [r] = await driver.all('SELECT * FROM users WHERE email = ?', [email.trim().toLowerCase()]);
      return r && toUser(r);
    },

    async listUsers() {
      return (await driver.all('SELECT * FROM users ORDER BY email')).map(toUser);
    },

    async updateUser(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      if (patch.displayName !== undefined) {
        sets.push('display_name = ?');
        params.push(patch.displayName);
      }
      if (patch.role !== undefined) {
        sets.push('role = ?');
        params.push(patch.role);
      }
      if (patch.disabled !== undefined) {
        sets.push('disabled = ?');
        params.push(patch.disabled ? 1 : 0);
      }
      const rows = sets.length
        ? await driver.all(`UPDATE users SET ${sets.join(', ')} WHERE id = ? RETURNING *`, [...params, id])
        : await driver.all('SELECT * FROM users WHERE id = ?', [id]);
      const [r] = rows;
      if (!r) throw new StoreError('NotFound', `user ${id} does not exist`, { target: id });
      return toUser(r);
    },

    async createAccessToken(input) {
      const token: AccessToken = {
        id: input.id ?? randomUUID(),
        userId: input.userId,
        hash: input.hash,
        name: input.name,
        createdAt: now(),
        lastUsedAt: null,
      };
      await driver.run('INSERT INTO access_tokens (id, user_id, hash, name, created_at) VALUES (?, ?, ?, ?, ?)', [
        token.id,
        token.userId,
        token.hash,
        token.name,
        token.createdAt,
      ]);
      return token;
    },

    async findAccessTokenByHash(hash) {
      const [r] = await driver.all('SELECT * FROM access_tokens WHERE hash = ?', [hash]);
      return r && toToken(r);
    },

    async listAccessTokens(userId) {
      const rows = await driver.all('SELECT * FROM access_tokens WHERE user_id = ? ORDER BY created_at, id', [userId]);
      return rows.map(toToken);
    },

    async touchAccessToken(id, at) {
      await driver.run('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', [at ?? now(), id]);
    },

    async deleteAccessToken(id) {
      return (await driver.run('DELETE FROM access_tokens WHERE id = ?', [id])) > 0;
    },

    async createOAuthClient(input) {
      const client: OAuthClient = {
        id: input.id ?? randomUUID(),
        secretHash: input.secretHash,
        environmentId: input.environmentId ?? DEFAULT_ENVIRONMENT_ID,
        roles: [...input.roles],
        createdAt: now(),
      };
      await driver.run(
        'INSERT INTO oauth_clients (id, secret_hash, environment_id, roles, created_at) VALUES (?, ?, ?, ?, ?)',
        [client.id, client.secretHash, client.environmentId, toJson(client.roles, 'roles'), client.createdAt],
      );
      return client;
    },

    async getOAuthClient(id) {
      const [r] = await driver.all('SELECT * FROM oauth_clients WHERE id = ?', [id]);
      return r && toClient(r);
    },

    async listOAuthClients() {
      return (await driver.all('SELECT * FROM oauth_clients ORDER BY created_at, id')).map(toClient);
    },

    async deleteOAuthClient(id) {
      return (await driver.run('DELETE FROM oauth_clients WHERE id = ?', [id])) > 0;
    },

    async appendAudit(entry) {
      const [r] = await driver.all(
        'INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?) RETURNING id',
        [entry.at ?? now(), entry.actor, entry.action, entry.target, toJsonOrNull(entry.details, 'details')],
      );
      return n(r?.id);
    },

    async listAudit(query = {}) {
      const limit = pageLimit(query.limit, 100);
      const rows =
        query.before === undefined
          ? await driver.all('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?', [limit])
          : await driver.all('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?', [query.before, limit]);
      return rows.map(toAuditEntry);
    },
  };
}
