// The people aggregate: users, their access tokens, OAuth clients and the audit log. (Roles in
// other environments and the automation switches are settings that auth/ keeps: SettingStore.)
import type { Json } from './json.js';

export type UserRole = 'Admin' | 'Maker' | 'Viewer' | (string & {});

export interface User {
  id: string;
  email: string; // stored lower-case: unique regardless of case
  displayName: string;
  role: UserRole;
  createdAt: number;
  disabled: boolean;
}

export interface AccessToken {
  id: string;
  userId: string;
  hash: string; // the store never sees the token itself
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface OAuthClient {
  id: string;
  secretHash: string;
  environmentId: string;
  roles: string[];
  createdAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: Json;
}

export interface PeopleStore {
  createUser(input: { id?: string; email: string; displayName: string; role: UserRole }): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  updateUser(id: string, patch: { displayName?: string; role?: UserRole; disabled?: boolean }): Promise<User>;

  createAccessToken(input: { id?: string; userId: string; hash: string; name: string }): Promise<AccessToken>;
  findAccessTokenByHash(hash: string): Promise<AccessToken | undefined>;
  listAccessTokens(userId: string): Promise<AccessToken[]>;
  touchAccessToken(id: string, at?: number): Promise<void>;
  deleteAccessToken(id: string): Promise<boolean>;

  createOAuthClient(input: {
    id?: string;
    secretHash: string;
    environmentId?: string;
    roles: string[];
  }): Promise<OAuthClient>;
  getOAuthClient(id: string): Promise<OAuthClient | undefined>;
  listOAuthClients(): Promise<OAuthClient[]>;
  deleteOAuthClient(id: string): Promise<boolean>;

  appendAudit(entry: { at?: number; actor: string; action: string; target: string; details?: Json }): Promise<number>;
  /** Newest first; `before` is an id from a previous page. */
  listAudit(query?: { limit?: number; before?: number }): Promise<AuditEntry[]>;
}
