// Administration: the automation switch for everyone, and the audit log.
import { useState } from 'react';
import { put, query } from '../api.js';
import { ErrorNote, Loading, Status, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import type { AuditEntry, Page } from '../types.js';

export function Automation() {
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

export function Audit() {
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
