// Flows of an environment: name, on/off, trigger, last run; search; a new flow from a pasted or
// uploaded definition (any export wrapper: the server unwraps it).
import { useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, enc, post, query } from '../api.js';
import { Empty, ErrorNote, Loading, Status, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import { Link, navigate } from '../router.js';
import { can, useSession } from '../session.js';
import type { DefinitionError, Environment, Flow } from '../types.js';

export function Flows() {
  const { user } = useSession();
  const envs = useApi<{ value: Environment[] }>('/api/v1/environments');
  const [env, setEnv] = useState('default');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  // One answer draws every row: each flow's trigger and latest run come with it.
  const flows = useApi<{ value: Flow[] }>(`/api/v1/flows${query({ environmentId: env, expand: 'trigger,lastRun' })}`);
  const shown = useMemo(
    () =>
      (flows.data?.value ?? [])
        .filter((f) => f.name.toLowerCase().includes(search.trim().toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [flows.data, search],
  );
  const mayWrite = can(user, 'flows.write', env);
  return (
    <section>
      <div className="heading">
        <h1>Flows</h1>
        {mayWrite ? (
          <button type="button" className="primary" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            New flow
          </button>
        ) : null}
      </div>
      <div className="toolbar">
        <label>
          Environment
          <select value={env} onChange={(e) => setEnv(e.target.value)}>
            {(envs.data?.value ?? [{ id: 'default', name: 'Default', createdAt: '' }]).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search flows
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name" />
        </label>
      </div>
      {creating ? <CreateFlow environmentId={env} onCancel={() => setCreating(false)} /> : null}
      <ErrorNote error={flows.error} />
      {flows.loading && !flows.data ? <Loading what="Loading flows" /> : null}
      {flows.data && shown.length === 0 ? (
        <Empty>{search ? 'No flow matches.' : 'No flows in this environment yet.'}</Empty>
      ) : null}
      {shown.length > 0 ? (
        <table aria-label="Flows">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">On</th>
              <th scope="col">Trigger</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <FlowRow key={f.id} flow={f} mayWrite={mayWrite} onChanged={flows.reload} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function FlowRow({ flow, mayWrite, onChanged }: { flow: Flow; mayWrite: boolean; onChanged: () => void }) {
  const { trigger } = flow;
  const toggle = useAction();
  const on = flow.state === 'Enabled';
  const run = flow.lastRun;
  return (
    <tr>
      <td>
        <Link to={`/flows/${enc(flow.id)}`}>{flow.name}</Link>
      </td>
      <td>
        <label className="switch">
          <input
            type="checkbox"
            checked={on}
            disabled={!mayWrite || toggle.busy}
            aria-label={`${flow.name} is on`}
            onChange={() =>
              void toggle.run(async () => {
                await post(`/api/v1/flows/${enc(flow.id)}/${on ? 'disable' : 'enable'}`);
                onChanged();
              })
            }
          />
          <span>{on ? 'On' : 'Off'}</span>
        </label>
        <ErrorNote error={toggle.error} />
      </td>
      <td>{trigger ? `${trigger.type}${trigger.kind ? ` (${trigger.kind})` : ''}` : ''}</td>
      <td>
        {run ? (
          <Link to={`/runs/${enc(run.id)}`} aria-label={`Last run of ${flow.name}: ${run.status}`}>
            <Status status={run.status} /> {when(run.startTime)}
          </Link>
        ) : run === null ? (
          <span className="muted">Never ran</span>
        ) : null}
      </td>
    </tr>
  );
}

/** Definition errors as the API reports them (400 InvalidDefinition, details = every error). */
export function definitionErrors(error: unknown): DefinitionError[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.filter(
    (d): d is DefinitionError =>
      typeof d === 'object' && d !== null && typeof (d as DefinitionError).message === 'string',
  );
}

export function DefinitionErrorList({ errors }: { errors: DefinitionError[] }) {
  return (
    <div role="alert" className="error">
      <ul aria-label="Definition errors">
        {errors.map((d, i) => (
          <li key={i}>
            <code>{d.pointer || '/'}</code> {d.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function CreateFlow({ environmentId, onCancel }: { environmentId: string; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string>();
  const action = useAction();
  const upload = async (e: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = e.target.files?.[0];
    if (!file) return;
    setText(await file.text());
    if (!name) setName(file.name.replace(/\.json$/i, ''));
  };
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    let definition: unknown;
    try {
      definition = JSON.parse(text);
      setParseError(undefined);
    } catch (err) {
      setParseError(`The definition is not valid JSON: ${(err as Error).message}`);
      return;
    }
    const created = await action.run(() => post<Flow>('/api/v1/flows', { name, definition, environmentId }));
    if (created) navigate(`/flows/${enc(created.id)}`);
  };
  const errors = definitionErrors(action.error);
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="New flow">
      <h2>New flow</h2>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Definition (JSON, bare or in any export wrapper)
        <textarea
          required
          rows={12}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          className="code"
        />
      </label>
      <label>
        Upload definition
        <input type="file" accept=".json,application/json" onChange={(e) => void upload(e)} />
      </label>
      {parseError ? (
        <p className="error" role="alert">
          {parseError}
        </p>
      ) : null}
      {errors.length ? <DefinitionErrorList errors={errors} /> : <ErrorNote error={action.error} />}
      <div className="buttons">
        <button type="submit" className="primary" disabled={action.busy}>
          Create flow
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
