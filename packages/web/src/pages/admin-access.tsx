// Administration: personal access tokens and OAuth clients (their secrets are shown once).
import { useState, type FormEvent } from 'react';
import { del, enc, post } from '../api.js';
import { CopyButton, Empty, ErrorNote, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import { useSession } from '../session.js';
import type { AccessToken, Environment, OAuthClient, Role, User } from '../types.js';

export const ROLES: Role[] = ['admin', 'maker', 'operator', 'user'];

/** Shown once: a secret the server keeps only hashed. */
function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div className="secret" role="status">
      <label>
        {label} (shown only now: copy it)
        <input readOnly value={value} onFocus={(e) => e.target.select()} />
      </label>
      <CopyButton text={value} />
    </div>
  );
}

export function Tokens() {
  const { user: me } = useSession();
  const users = useApi<{ value: User[] }>('/api/v1/users');
  const [userId, setUserId] = useState(me.id);
  const tokens = useApi<{ value: AccessToken[] }>(`/api/v1/users/${enc(userId)}/tokens`);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const act = useAction();
  const create = (e: FormEvent): void => {
    e.preventDefault();
    void act.run(async () => {
      const t = await post<AccessToken & { token: string }>(`/api/v1/users/${enc(userId)}/tokens`, {
        name: name || 'token',
      });
      setSecret(t.token);
      setName('');
      tokens.reload();
    });
  };
  const revoke = (t: AccessToken): void => {
    if (!window.confirm(`Revoke the token "${t.name}"? Whatever uses it stops working.`)) return;
    void act.run(async () => {
      await del(`/api/v1/users/${enc(userId)}/tokens/${enc(t.id)}`);
      tokens.reload();
    });
  };
  return (
    <div>
      <label>
        Tokens of
        <select
          value={userId}
          onChange={(e) => {
            setUserId(e.target.value);
            setSecret(null);
          }}
        >
          {(users.data?.value ?? [me]).map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </select>
      </label>
      <form className="panel inline-form" onSubmit={create} aria-label="Create a token">
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="laptop, CI, …" />
        </label>
        <button type="submit" className="primary" disabled={act.busy}>
          Create token
        </button>
      </form>
      {secret ? <Secret label="New token" value={secret} /> : null}
      <ErrorNote error={act.error ?? tokens.error} />
      {tokens.data && tokens.data.value.length === 0 ? <Empty>No tokens.</Empty> : null}
      {tokens.data && tokens.data.value.length > 0 ? (
        <table aria-label="Access tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.value.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{when(t.createdAt)}</td>
                <td>{t.lastUsedAt ? when(t.lastUsedAt) : 'never'}</td>
                <td>
                  <button type="button" className="danger" onClick={() => revoke(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export function Clients() {
  const clients = useApi<{ value: OAuthClient[] }>('/api/v1/clients');
  const envs = useApi<{ value: Environment[] }>('/api/v1/environments');
  const [form, setForm] = useState({ name: '', role: 'operator' as Role, environmentId: 'default' });
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const act = useAction();
  const create = (e: FormEvent): void => {
    e.preventDefault();
    void act.run(async () => {
      const c = await post<OAuthClient & { client_secret: string }>('/api/v1/clients', {
        name: form.name || null,
        roles: [form.role],
        environmentId: form.environmentId,
      });
      setSecret({ id: c.client_id, secret: c.client_secret });
      clients.reload();
    });
  };
  const remove = (c: OAuthClient): void => {
    if (!window.confirm(`Delete the client ${c.name ?? c.client_id}? Its tokens stop working at once.`)) return;
    void act.run(async () => {
      await del(`/api/v1/clients/${enc(c.client_id)}`);
      clients.reload();
    });
  };
  return (
    <div>
      <form className="panel inline-form" onSubmit={create} aria-label="Register a client">
        <h2>Register an OAuth client</h2>
        <label>
          Client name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          Client role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Client environment
          <select value={form.environmentId} onChange={(e) => setForm({ ...form, environmentId: e.target.value })}>
            {(envs.data?.value ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={act.busy}>
          Register client
        </button>
      </form>
      {secret ? (
        <>
          <p>
            Client id <code>{secret.id}</code>
          </p>
          <Secret label="Client secret" value={secret.secret} />
        </>
      ) : null}
      <ErrorNote error={act.error ?? clients.error} />
      {clients.data && clients.data.value.length === 0 ? <Empty>No clients.</Empty> : null}
      {clients.data && clients.data.value.length > 0 ? (
        <table aria-label="OAuth clients">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client id</th>
              <th scope="col">Roles</th>
              <th scope="col">Environment</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {clients.data.value.map((c) => (
              <tr key={c.client_id}>
                <td>{c.name ?? ''}</td>
                <td>
                  <code>{c.client_id}</code>
                </td>
                <td>{c.roles.join(', ')}</td>
                <td>{c.environmentId}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => remove(c)}
                    aria-label={`Delete client ${c.name ?? c.client_id}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
