// A flow: its graph, its definition in the editor (validation errors where their pointers point),
// on/off, delete, the signed trigger URL, a run form for instant flows, its runs and trigger history.
import { useEffect, useMemo, useState } from 'react';
import { del, enc, get, post, put, query } from '../api.js';
import { RunsTable } from '../components/runs-table.js';
import { CopyButton, Empty, ErrorNote, Loading, Status, Tabs, useAction, useApi } from '../components/ui.js';
import { JsonEditor } from '../editor/json-editor.js';
import { when } from '../format.js';
import { SchemaForm } from '../forms/schema-form.js';
import { FlowGraphView } from '../graph/flow-graph.js';
import { buildGraph, isInstantTrigger, triggerSummary } from '../graph/model.js';
import { Link, navigate } from '../router.js';
import { can, useSession } from '../session.js';
import type { Flow, Page, TriggerHistoryEntry } from '../types.js';
import { DefinitionErrorList, definitionErrors } from './flows.js';

export function FlowPage({ id }: { id: string }) {
  const flow = useApi<Flow>(`/api/v1/flows/${enc(id)}`);
  const [tab, setTab] = useState('graph');
  if (flow.error) return <ErrorNote error={flow.error} />;
  if (!flow.data) return <Loading what="Loading the flow" />;
  const f = flow.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/flows">Flows</Link> /
      </p>
      <FlowHeader flow={f} onChanged={flow.reload} />
      <Tabs
        label="Flow views"
        active={tab}
        onChange={setTab}
        tabs={[
          { id: 'graph', label: 'Graph' },
          { id: 'definition', label: 'Definition' },
          { id: 'runs', label: 'Runs' },
          { id: 'history', label: 'Trigger history' },
        ]}
      >
        {tab === 'graph' ? <GraphTab flow={f} /> : null}
        {tab === 'definition' ? <DefinitionTab flow={f} onSaved={flow.reload} /> : null}
        {tab === 'runs' ? <RunsTable flowId={f.id} /> : null}
        {tab === 'history' ? <TriggerHistory flow={f} /> : null}
      </Tabs>
    </section>
  );
}

function FlowHeader({ flow, onChanged }: { flow: Flow; onChanged: () => void }) {
  const { user } = useSession();
  const mayWrite = can(user, 'flows.write', flow.environmentId);
  const mayRun = can(user, 'runs.operate', flow.environmentId);
  const trigger = triggerSummary(flow.definition);
  const instant = isInstantTrigger(trigger);
  const action = useAction();
  const [url, setUrl] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const on = flow.state === 'Enabled';
  const toggle = (): void =>
    void action.run(async () => {
      await post(`/api/v1/flows/${enc(flow.id)}/${on ? 'disable' : 'enable'}`);
      onChanged();
    });
  const remove = (): void => {
    if (!window.confirm(`Delete the flow "${flow.name}"? Its runs stay readable until they expire.`)) return;
    void action.run(async () => {
      await del(`/api/v1/flows/${enc(flow.id)}`);
      navigate('/flows');
    });
  };
  const showUrl = (): void =>
    void action.run(async () => {
      const r = await post<{ value: string }>(
        `/api/v1/flows/${enc(flow.id)}/triggers/${enc(trigger!.name)}/listCallbackUrl`,
      );
      setUrl(r.value);
    });
  const runFlow = useAction();
  const start = (body: Record<string, unknown>): void =>
    void runFlow.run(async () => {
      const r = await post<{ runId: string }>(`/api/v1/flows/${enc(flow.id)}/triggers/${enc(trigger!.name)}/run`, body);
      navigate(`/runs/${enc(r.runId)}`);
    });
  return (
    <div className="flow-head">
      <div className="heading">
        <h1>{flow.name}</h1>
        <Status status={flow.state} />
      </div>
      <p className="muted">
        {trigger
          ? `Trigger: ${trigger.name} (${trigger.type}${trigger.kind ? `, ${trigger.kind}` : ''})`
          : 'No trigger'}{' '}
        · {flow.kind} · version {flow.version} · environment {flow.environmentId} · updated {when(flow.updatedAt)}
      </p>
      <div className="buttons">
        {mayWrite ? (
          <button type="button" onClick={toggle} disabled={action.busy}>
            {on ? 'Turn off' : 'Turn on'}
          </button>
        ) : null}
        {trigger && trigger.type.toLowerCase() === 'request' ? (
          <button type="button" onClick={showUrl} disabled={action.busy}>
            Show trigger URL
          </button>
        ) : null}
        {instant && mayRun ? (
          <button type="button" className="primary" onClick={() => setRunning(!running)} aria-expanded={running}>
            Run flow
          </button>
        ) : null}
        {mayWrite ? (
          <button type="button" className="danger" onClick={remove} disabled={action.busy}>
            Delete flow
          </button>
        ) : null}
      </div>
      <ErrorNote error={action.error} />
      {url ? (
        <div className="url">
          <label>
            Trigger URL (signed: keep it secret)
            <input readOnly value={url} onFocus={(e) => e.target.select()} />
          </label>
          <CopyButton text={url} label="Copy trigger URL" />
        </div>
      ) : null}
      {running && trigger ? (
        <SchemaForm
          schema={trigger.schema}
          onSubmit={start}
          busy={runFlow.busy}
          error={runFlow.error}
          submitLabel="Start run"
        />
      ) : null}
    </div>
  );
}

function GraphTab({ flow }: { flow: Flow }) {
  const graph = useMemo(() => buildGraph(flow.definition), [flow.definition]);
  if (graph.count === 0) return <Empty>The definition has no trigger or action to draw.</Empty>;
  return <FlowGraphView graph={graph} label={`Graph of ${flow.name}`} />;
}

function DefinitionTab({ flow, onSaved }: { flow: Flow; onSaved: () => void }) {
  const { user } = useSession();
  const original = useMemo(() => JSON.stringify(flow.definition, null, 2), [flow.definition]);
  const [text, setText] = useState(original);
  const [notice, setNotice] = useState<string>();
  const [parseError, setParseError] = useState<string>();
  const save = useAction();
  useEffect(() => setText(original), [original]);
  const errors = definitionErrors(save.error);
  const submit = (): void => {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (e) {
      setParseError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    setParseError(undefined);
    setNotice(undefined);
    void save.run(async () => {
      const saved = await put<Flow>(`/api/v1/flows/${enc(flow.id)}`, { definition, expectedVersion: flow.version });
      setNotice(`Saved as version ${saved.version}.`);
      onSaved();
    });
  };
  const mayWrite = can(user, 'flows.write', flow.environmentId);
  return (
    <div>
      <JsonEditor value={text} onChange={setText} errors={errors} label="Flow definition" />
      <div className="buttons">
        {mayWrite ? (
          <button type="button" className="primary" onClick={submit} disabled={save.busy || text === original}>
            Save definition
          </button>
        ) : null}
        <button type="button" onClick={() => setText(original)} disabled={text === original}>
          Discard changes
        </button>
      </div>
      {notice ? (
        <p role="status" className="ok">
          {notice}
        </p>
      ) : null}
      {parseError ? (
        <p className="error" role="alert">
          {parseError}
        </p>
      ) : null}
      {errors.length ? <DefinitionErrorList errors={errors} /> : <ErrorNote error={save.error} />}
    </div>
  );
}

function TriggerHistory({ flow }: { flow: Flow }) {
  const trigger = triggerSummary(flow.definition);
  const [cursor, setCursor] = useState<string>();
  const [pages, setPages] = useState<TriggerHistoryEntry[][]>([]);
  const [next, setNext] = useState<string | null>(null);
  const load = useAction();
  useEffect(() => {
    if (!trigger) return;
    void load.run(async () => {
      const page = await get<Page<TriggerHistoryEntry>>(
        `/api/v1/flows/${enc(flow.id)}/triggers/${enc(trigger.name)}/histories${query({ limit: 25, cursor })}`,
      );
      setPages((old) => (cursor ? [...old, page.value] : [page.value]));
      setNext(page.nextCursor);
    });
  }, [flow.id, trigger?.name, cursor]);
  if (!trigger) return <Empty>This flow has no trigger.</Empty>;
  const entries = pages.flat();
  return (
    <div>
      <ErrorNote error={load.error} />
      {entries.length === 0 && !load.busy ? <Empty>The trigger has not fired yet.</Empty> : null}
      {entries.length ? (
        <table aria-label="Trigger history">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
              <th scope="col">Run</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.name}>
                <td>{when(e.startTime)}</td>
                <td>
                  <Status status={e.status} />
                </td>
                <td>
                  {e.run ? (
                    <Link to={`/runs/${enc(e.run.name)}`}>
                      <Status status={e.run.status} /> {e.run.name.slice(0, 8)}…
                    </Link>
                  ) : (
                    <span className="muted">No run</span>
                  )}
                </td>
                <td>{e.error ? `${e.error.code}: ${e.error.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? (
        <button type="button" onClick={() => setCursor(next)} disabled={load.busy}>
          Older entries
        </button>
      ) : null}
    </div>
  );
}
