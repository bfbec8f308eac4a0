// Administration (the admin role only; the API refuses everyone else too): environments, users
// and their roles, personal access tokens, OAuth clients, the automation switch, the audit log.
import { useState, type FormEvent } from 'react';
import { enc, patch, post, put } from '../api.js';
import { ErrorNote, Loading, Status, Tabs, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import { useSession } from '../session.js';
import type { Environment, Role, User } from '../types.js';
import { Clients, ROLES, Tokens } from './admin-access.js';
import { Audit, Automation } from './admin-org.js';

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
