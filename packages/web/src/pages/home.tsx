// Home: what needs attention (approvals waiting for me) and what ran lately, across flows.
import { useMemo } from 'react';
import { RunsTable } from '../components/runs-table.js';
import { useApi } from '../components/ui.js';
import { Link } from '../router.js';
import { can, useSession } from '../session.js';
import type { Approval, Flow } from '../types.js';

export function Home() {
  const { user } = useSession();
  const mayReadRuns = Object.keys(user.permissions).some((env) => can(user, 'runs.read', env));
  const flows = useApi<{ value: Flow[] }>('/api/v1/flows');
  const pending = useApi<{ value: Approval[] }>('/api/v1/approvals?filter=received&status=pending');
  const names = useMemo(() => new Map((flows.data?.value ?? []).map((f) => [f.id, f.name])), [flows.data]);
  const waiting = pending.data?.value.length ?? 0;
  return (
    <section>
      <h1>Welcome, {user.displayName}</h1>
      <div className="tiles">
        <Link to="/flows" className="tile">
          <strong>{flows.data ? flows.data.value.length : '…'}</strong> flows
        </Link>
        <Link to="/approvals" className="tile">
          <strong>{pending.data ? waiting : '…'}</strong> approvals waiting for you
        </Link>
      </div>
      {mayReadRuns ? (
        <>
          <h2>Recent runs</h2>
          <RunsTable flowNames={names} pageSize={15} />
        </>
      ) : null}
    </section>
  );
}
