// A run: the flow's graph coloured by each action's status with its duration; the actions as a
// list too; the selected action's inputs, outputs, error, retries and (in loops) repetitions.
// Secured values show as hidden. Cancel, resubmit; a run still going refreshes itself.
import { useEffect, useMemo, useState } from 'react';
import { enc, post } from '../api.js';
import { ErrorNote, Json, Loading, Status, useAction, useApi } from '../components/ui.js';
import { duration, isActive, when } from '../format.js';
import { FlowGraphView, type StepState } from '../graph/flow-graph.js';
import { buildGraph } from '../graph/model.js';
import { Link, navigate } from '../router.js';
import { can, useSession } from '../session.js';
import type { ActionRecord, Flow, FlowVersion, RunAction, RunDetail } from '../types.js';

const POLL_MS = 1500;

export function RunPage({ id }: { id: string }) {
  const run = useApi<RunDetail>(`/api/v1/runs/${enc(id)}?expand=actions`);
  const active = isActive(run.data?.status);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(run.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [active, run.reload]);
  if (run.error && !run.data) return <ErrorNote error={run.error} />;
  if (!run.data) return <Loading what="Loading the run" />;
  return <RunView run={run.data} onChanged={run.reload} />;
}

function RunView({ run, onChanged }: { run: RunDetail; onChanged: () => void }) {
  const { user } = useSession();
  const flow = useApi<Flow>(`/api/v1/flows/${enc(run.flowId)}`);
  // A run of an older version is drawn with the definition it ran (that version alone).
  const older = useApi<FlowVersion>(
    flow.data && flow.data.version !== run.flowVersion
      ? `/api/v1/flows/${enc(run.flowId)}/versions/${run.flowVersion}`
      : null,
  );
  const definition = flow.data?.version === run.flowVersion ? flow.data.definition : older.data?.definition;
  const graph = useMemo(() => (definition === undefined ? null : buildGraph(definition)), [definition]);
  const actions = run.actions ?? {};
  const states = useMemo(() => {
    const m = new Map<string, StepState>();
    m.set(run.triggerName, { status: 'Succeeded' });
    for (const [name, a] of Object.entries(actions))
      m.set(name, { status: a.status, duration: duration(a.startTime, a.endTime) });
    return m;
  }, [actions, run.triggerName]);
  const [selected, setSelected] = useState<string | null>(null);
  const op = useAction();
  const mayOperate = can(user, 'runs.operate', flow.data?.environmentId ?? 'default');
  const cancel = (): void =>
    void op.run(async () => {
      await post(`/api/v1/runs/${enc(run.id)}/cancel`);
      onChanged();
    });
  const resubmit = (): void =>
    void op.run(async () => {
      const r = await post<{ id: string }>(`/api/v1/runs/${enc(run.id)}/resubmit`);
      navigate(`/runs/${enc(r.id)}`);
    });
  const names = Object.keys(actions);
  return (
    <section>
      <p className="crumbs">
        <Link to="/flows">Flows</Link> /{' '}
        {flow.data ? <Link to={`/flows/${enc(flow.data.id)}`}>{flow.data.name}</Link> : run.flowId} /
      </p>
      <div className="heading">
        <h1>Run {run.id.slice(0, 8)}…</h1>
        <Status status={run.status} />
        {isActive(run.status) ? <span className="muted live">updating…</span> : null}
      </div>
      <p className="muted">
        Started {when(run.startTime)} · {duration(run.startTime, run.endTime)} · trigger {run.triggerName} · version{' '}
        {run.flowVersion} · id <code>{run.id}</code>
      </p>
      {mayOperate ? (
        <div className="buttons">
          {isActive(run.status) ? (
            <button type="button" onClick={cancel} disabled={op.busy}>
              Cancel run
            </button>
          ) : null}
          <button type="button" onClick={resubmit} disabled={op.busy}>
            Resubmit
          </button>
        </div>
      ) : null}
      <ErrorNote error={op.error} />
      {run.error ? (
        <div className="panel">
          <h2>Run error</h2>
          <Json value={run.error} label="Run error" />
        </div>
      ) : null}
      {run.historyKept === false ? (
        <p className="muted" role="note">
          Run history not kept: a Stateless flow keeps its actions only when the app setting{' '}
          <code>Workflows.{flow.data?.name ?? '<flow name>'}.OperationOptions</code> is{' '}
          <code>WithStatelessRunHistory</code>.
        </p>
      ) : null}
      <div className="run-layout">
        <div>
          {graph && graph.count > 0 ? (
            <FlowGraphView graph={graph} states={states} selected={selected} onSelect={setSelected} label="Run graph" />
          ) : null}
          <table aria-label="Actions of this run">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {names.map((name) => {
                const a = actions[name]!;
                return (
                  <tr key={name} className={selected === name ? 'chosen' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => setSelected(name)}
                        aria-pressed={selected === name}
                      >
                        {name}
                      </button>
                    </td>
                    <td>
                      <Status status={a.status} />
                    </td>
                    <td>{duration(a.startTime, a.endTime)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <aside className="panel details" aria-label="Details">
          {selected && actions[selected] ? (
            <ActionDetails name={selected} action={actions[selected]} />
          ) : (
            <TriggerDetails run={run} />
          )}
        </aside>
      </div>
    </section>
  );
}

function TriggerDetails({ run }: { run: RunDetail }) {
  return (
    <>
      <h2>Trigger {run.trigger.name}</h2>
      <p className="muted">Select an action in the graph or the list to see its inputs and outputs.</p>
      <h3>Trigger outputs</h3>
      <Json value={run.trigger.outputs} label="Trigger outputs" />
      {run.response ? (
        <>
          <h3>Response</h3>
          <Json value={run.response} label="Response" />
        </>
      ) : null}
    </>
  );
}

function RecordView({ record, title }: { record: Omit<ActionRecord, 'name'>; title: string }) {
  return (
    <>
      <p>
        <Status status={record.status} /> {record.code ? <code>{record.code}</code> : null}{' '}
        <span className="muted">
          {when(record.startTime)} · {duration(record.startTime, record.endTime)}
        </span>
      </p>
      <h3>Inputs</h3>
      <Json value={record.inputs} label={`Inputs of ${title}`} />
      <h3>Outputs</h3>
      <Json value={record.outputs} label={`Outputs of ${title}`} />
      {record.error ? (
        <>
          <h3>Error</h3>
          <Json value={record.error} label={`Error of ${title}`} />
        </>
      ) : null}
      {record.retryHistory && record.retryHistory.length ? (
        <>
          <h3>Retries</h3>
          <table aria-label={`Retries of ${title}`}>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Code</th>
                <th scope="col">Start</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {record.retryHistory.map((r, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>{r.code ?? ''}</td>
                  <td>{when(r.startTime)}</td>
                  <td>{duration(r.startTime, r.endTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}

function ActionDetails({ name, action }: { name: string; action: RunAction }) {
  const reps = action.repetitions ?? [];
  const [rep, setRep] = useState<number | null>(null);
  useEffect(() => setRep(null), [name]);
  const shown = rep !== null ? reps[rep] : undefined;
  return (
    <>
      <h2>{name}</h2>
      {reps.length ? (
        <label>
          Repetition
          <select value={rep ?? ''} onChange={(e) => setRep(e.target.value === '' ? null : Number(e.target.value))}>
            <option value="">Last ({reps.length} in all)</option>
            {reps.map((r, i) => (
              <option key={i} value={i}>
                {(r.repetitionIndexes ?? []).map((x) => `${x.scopeName}[${x.itemIndex}]`).join(', ') || `#${i + 1}`} ·{' '}
                {r.status}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <RecordView record={shown ?? action} title={shown ? `${name} repetition ${rep! + 1}` : name} />
    </>
  );
}
