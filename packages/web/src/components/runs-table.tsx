// Run history: newest first, filtered by status, paged by the API's cursor (fast however many runs).
import { useState } from 'react';
import { enc, query } from '../api.js';
import { duration, when } from '../format.js';
import { Link } from '../router.js';
import type { Page, Run } from '../types.js';
import { Empty, ErrorNote, Loading, Status, useApi } from './ui.js';

const STATUSES = ['Running', 'Waiting', 'Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped'];

export function RunsTable({
  flowId,
  flowNames,
  pageSize = 20,
  refreshKey = 0,
}: {
  flowId?: string;
  flowNames?: Map<string, string>;
  pageSize?: number;
  refreshKey?: number;
}) {
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const path = `/api/v1/runs${query({ flowId, status, limit: pageSize, cursor, r: refreshKey || undefined })}`;
  const runs = useApi<Page<Run>>(path);
  const filter = (s: string): void => {
    setStatus(s);
    setCursor(undefined);
    setCursors([]);
  };
  return (
    <div className="runs">
      <div className="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => filter(e.target.value)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={runs.reload}>
          Refresh runs
        </button>
      </div>
      <ErrorNote error={runs.error} />
      {!runs.data && runs.loading ? <Loading what="Loading runs" /> : null}
      {runs.data && runs.data.value.length === 0 ? (
        <Empty>No runs{status ? ` with status ${status}` : ''}.</Empty>
      ) : null}
      {runs.data && runs.data.value.length > 0 ? (
        <table aria-label={flowId ? 'Runs of this flow' : 'Recent runs'}>
          <thead>
            <tr>
              <th scope="col">Run</th>
              {flowNames ? <th scope="col">Flow</th> : null}
              <th scope="col">Status</th>
              <th scope="col">Start</th>
              <th scope="col">Duration</th>
              <th scope="col">Trigger</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.value.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/runs/${enc(r.id)}`} aria-label={`Run ${r.id}`}>
                    {r.id.slice(0, 8)}…
                  </Link>
                </td>
                {flowNames ? (
                  <td>
                    <Link to={`/flows/${enc(r.flowId)}`}>{flowNames.get(r.flowId) ?? r.flowId}</Link>
                  </td>
                ) : null}
                <td>
                  <Status status={r.status} />
                </td>
                <td>{when(r.startTime)}</td>
                <td>{duration(r.startTime, r.endTime)}</td>
                <td>{r.triggerName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            const prev = cursors.slice(0, -1);
            setCursor(cursors[cursors.length - 1] || undefined);
            setCursors(prev);
          }}
        >
          Newer runs
        </button>
        <button
          type="button"
          disabled={!runs.data?.nextCursor}
          onClick={() => {
            setCursors([...cursors, cursor ?? '']);
            setCursor(runs.data?.nextCursor ?? undefined);
          }}
        >
          Older runs
        </button>
      </div>
    </div>
  );
}
