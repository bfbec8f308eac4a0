// Administration (the admin role only; the API refuses everyone else too): environments, users
// and their roles, personal access tokens, OAuth clients, the automation switch, the audit log.
import { useState, type FormEvent } from 'react';
import { del, enc, patch, post, put, query } from '../api.js';
import { CopyButton, Empty, ErrorNote, Loading, Status, Tabs, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import { useSession } from '../session.js';
import type { AccessToken, AuditEntry, Environment, OAuthClient, Page, Role, User } from '../types.js';

const ROLES: Role[] = ['admin', 'maker', 'operator', 'user'];

export function Admin() {
  const [tab, setTab] = useState('users');
  return (
    <section>
      <h1>Administration</h1>
      <Tabs
        label="Administration"
        active={tab}
        onChange={setTab}
        tabs={[
          { id: 'users', label: 'Users' },
          { id: 'environments', label: 'Environments' },
          { id: 'tokens', label: 'Access tokens' },
          { id: 'clients', label: 'OAuth clients' },
          { id: 'automation', label: 'Automation' },
          { id: 'audit', label: 'Audit log' },
        ]}
      >
        {tab === 'users' ? <Users /> : null}
        {tab === 'environments' ? <Environments /> : null}
        {tab === 'tokens' ? <Tokens /> : null}
        {tab === 'clients' ? <Clients /> : null}
        {tab === 'automation' ? <Automation /> : null}
        {tab === 'audit' ? <Audit /> : null}
      </Tabs>
    </section>
  );
}

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

function Users() {
  const { user: me } = useSession();
  const users = useApi<{ value: User[] }>('/api/v1/users');
  const envs = useApi<{ value: Environment[] }>('/api/v1/environments');
  const act = useAction();
  const [form, setForm] = useState({
    email: '',
    displayName: '',
    role: 'user' as Role,
    password: '',
    environmentId: 'default',
  });
  const create = (e: FormEvent): void => {
    e.preventDefault();
    void act.run(async () => {
      await post('/api/v1/users', {
        email: form.email,
        role: form.role,
        environmentId: form.environmentId,
        ...(form.displayName ? { displayName: form.displayName } : {}),
        ...(form.password ? { password: form.password } : {}),
      });
      setForm({ ...form, email: '', displayName: '', password: '' });
      users.reload();
    });
  };
  const change = (u: User, body: Record<string, unknown>): void =>
    void act.run(async () => {
      await patch(`/api/v1/users/${enc(u.id)}`, body);
      users.reload();
    });
  const setPassword = (u: User): void => {
    const password = window.prompt(`New password for ${u.email} (at least 8 characters)`);
    if (!password) return;
    void act.run(() => put(`/api/v1/users/${enc(u.id)}/password`, { password }));
  };
  const automation = (u: User): void =>
    void act.run(async () => {
      const enabled = !u.automation.enabled;
      const reason = enabled ? null : window.prompt(`Why switch automation off for ${u.email}?`) || null;
      await put(`/api/v1/users/${enc(u.id)}/automation`, { enabled, reason });
      users.reload();
    });
  return (
    <div>
      <form className="panel inline-form" onSubmit={create} aria-label="Add a user">
        <h2>Add a user</h2>
        <label>
          Email
          <input
            type="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <label>
          Name
          <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          In environment
          <select value={form.environmentId} onChange={(e) => setForm({ ...form, environmentId: e.target.value })}>
            {(envs.data?.value ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password (optional)
          <input
            type="password"
            minLength={8}
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <button type="submit" className="primary" disabled={act.busy}>
          Add user
        </button>
      </form>
      <ErrorNote error={act.error ?? users.error} />
      {!users.data ? <Loading what="Loading users" /> : null}
      {users.data ? (
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Other environments</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.value.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.displayName}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role ?? ''}
                    disabled={u.id === me.id}
                    onChange={(e) => change(u, { role: e.target.value || null })}
                  >
                    <option value="">none</option>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {Object.entries(u.roles)
                    .filter(([env]) => env !== 'default')
                    .map(([env, role]) => `${env}: ${role}`)
                    .join(', ')}
                </td>
                <td>
                  <Status status={u.disabled ? 'Disabled' : 'Enabled'} />
                  {!u.automation.enabled ? <span className="muted"> automation off</span> : null}
                </td>
                <td className="buttons">
                  <button type="button" onClick={() => setPassword(u)} aria-label={`Set password of ${u.email}`}>
                    Set password
                  </button>
                  <button
                    type="button"
                    onClick={() => automation(u)}
                    aria-label={`${u.automation.enabled ? 'Stop' : 'Allow'} automation of ${u.email}`}
                  >
                    {u.automation.enabled ? 'Stop automation' : 'Allow automation'}
                  </button>
                  {u.id !== me.id ? (
                    <button
                      type="button"
                      onClick={() => change(u, { disabled: !u.disabled })}
                      aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Environments() {
  const envs = useApi<{ value: Environment[] }>('/api/v1/environments');
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const act = useAction();
  const create = (e: FormEvent): void => {
    e.preventDefault();
    void act.run(async () => {
      await post('/api/v1/environments', { name, ...(id ? { id } : {}) });
      setName('');
      setId('');
      envs.reload();
    });
  };
  return (
    <div>
      <form className="panel inline-form" onSubmit={create} aria-label="Add an environment">
        <h2>Add an environment</h2>
        <label>
          Environment name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Id (optional: lower-case letters, digits, hyphens)
          <input value={id} pattern="[a-z0-9][a-z0-9-]{0,62}" onChange={(e) => setId(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={act.busy}>
          Add environment
        </button>
      </form>
      <ErrorNote error={act.error ?? envs.error} />
      {envs.data ? (
        <table aria-label="Environments">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {envs.data.value.map((e) => (
              <tr key={e.id}>
                <td>
                  <code>{e.id}</code>
                </td>
                <td>{e.name}</td>
                <td>{when(e.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Loading />
      )}
    </div>
  );
}

function Tokens() {
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

function Clients() {
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

function Automation() {
  const state = useApi<{
    enabled: boolean;
    reason: string | null;
    changedAt?: string | null;
    changedBy?: string | null;
  }>('/api/v1/settings/automation');
  const [reason, setReason] = useState('');
  const act = useAction();
  const set = (enabled: boolean): void =>
    void act.run(async () => {
      await put('/api/v1/settings/automation', { enabled, reason: enabled ? null : reason || null });
      state.reload();
    });
  if (!state.data) return <Loading />;
  const on = state.data.enabled;
  return (
    <div className="panel">
      <h2>Automation for everyone</h2>
      <p>
        <Status status={on ? 'Enabled' : 'Disabled'} />{' '}
        {on ? 'Triggers start runs.' : `Triggers start no runs${state.data.reason ? `: ${state.data.reason}` : '.'}`}
      </p>
      {on ? (
        <>
          <label>
            Reason (shown to whoever triggers a flow)
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="button" className="danger" onClick={() => set(false)} disabled={act.busy}>
            Switch automation off
          </button>
        </>
      ) : (
        <button type="button" className="primary" onClick={() => set(true)} disabled={act.busy}>
          Switch automation on
        </button>
      )}
      <ErrorNote error={act.error} />
    </div>
  );
}

function Audit() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const audit = useApi<Page<AuditEntry>>(`/api/v1/audit${query({ limit: 50, cursor })}`);
  return (
    <div>
      <ErrorNote error={audit.error} />
      {!audit.data ? <Loading what="Loading the audit log" /> : null}
      {audit.data ? (
        <table aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {audit.data.value.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <code>{e.details ? JSON.stringify(e.details) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer entries
        </button>
        <button
          type="button"
          disabled={!audit.data?.nextCursor}
          onClick={() => setCursors([...cursors, audit.data!.nextCursor!])}
        >
          Older entries
        </button>
      </div>
    </div>
  );
}
