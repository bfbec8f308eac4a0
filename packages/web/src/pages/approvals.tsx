// The approvals inbox: what waits for my answer, what I asked for, and what is done. An approval
// shows its title, details (Markdown), item link, requester, others' responses; I answer with one
// of its options and a comment, or hand it to someone else where the approval allows it.
import { useState } from 'react';
import { enc, post, query } from '../api.js';
import { Markdown } from '../components/markdown.js';
import { Empty, ErrorNote, Loading, Status, Tabs, useAction, useApi } from '../components/ui.js';
import { when } from '../format.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import type { Approval } from '../types.js';

type Box = 'received' | 'sent' | 'history';

export function Approvals() {
  const [box, setBox] = useState<Box>('received');
  const [openId, setOpenId] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  return (
    <section>
      <h1>Approvals</h1>
      <Tabs
        label="Approval boxes"
        active={box}
        onChange={(b) => {
          setBox(b as Box);
          setOpenId(null);
        }}
        tabs={[
          { id: 'received', label: 'Received' },
          { id: 'sent', label: 'Sent' },
          { id: 'history', label: 'History' },
        ]}
      >
        <div className="split">
          <ApprovalList box={box} openId={openId} onOpen={setOpenId} tick={tick} />
          {openId ? <ApprovalDetail key={openId} id={openId} onChanged={() => setTick((t) => t + 1)} /> : null}
        </div>
      </Tabs>
    </section>
  );
}

function ApprovalList({
  box,
  openId,
  onOpen,
  tick,
}: {
  box: Box;
  openId: string | null;
  onOpen: (id: string) => void;
  tick: number;
}) {
  const received = useApi<{ value: Approval[] }>(
    `/api/v1/approvals${query({ filter: box === 'sent' ? 'sent' : 'received', status: box === 'received' ? 'pending' : box === 'history' ? 'completed' : undefined, t: tick || undefined })}`,
  );
  const sentDone = useApi<{ value: Approval[] }>(
    box === 'history'
      ? `/api/v1/approvals${query({ filter: 'sent', status: 'completed', t: tick || undefined })}`
      : null,
  );
  const seen = new Set<string>();
  const items = [...(received.data?.value ?? []), ...(box === 'history' ? (sentDone.data?.value ?? []) : [])]
    .filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)))
    .sort((a, b) => b.requestDate.localeCompare(a.requestDate));
  if (received.error) return <ErrorNote error={received.error} />;
  if (!received.data) return <Loading what="Loading approvals" />;
  if (items.length === 0)
    return (
      <Empty>
        {box === 'received'
          ? 'Nothing waits for your answer.'
          : box === 'sent'
            ? 'You have asked for no approvals.'
            : 'No finished approvals yet.'}
      </Empty>
    );
  return (
    <ul className="approval-list" aria-label={`${box} approvals`}>
      {items.map((a) => (
        <li key={a.id}>
          <button
            type="button"
            className={openId === a.id ? 'item chosen' : 'item'}
            aria-pressed={openId === a.id}
            onClick={() => onOpen(a.id)}
          >
            <span className="title">{a.title}</span>
            <span className="muted">
              {a.requestor || 'Unknown requester'} · {when(a.requestDate)}
            </span>
            <Status status={a.outcome ?? a.status} />
          </button>
        </li>
      ))}
    </ul>
  );
}

function ApprovalDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { user } = useSession();
  const approval = useApi<Approval>(`/api/v1/approvals/${enc(id)}`);
  const [comments, setComments] = useState('');
  const [to, setTo] = useState('');
  const act = useAction();
  if (approval.error) return <ErrorNote error={approval.error} />;
  if (!approval.data) return <Loading what="Loading the approval" />;
  const a = approval.data;
  const me = user.email.toLowerCase();
  const mine = a.assignedTo.some((x) => x.toLowerCase() === me);
  const answered = a.responses.some((r) => r.responder.email?.toLowerCase() === me);
  const pending = a.status === 'Pending';
  const respond = (response: string): void =>
    void act.run(async () => {
      await post(`/api/v1/approvals/${enc(a.id)}/respond`, { response, comments });
      approval.reload();
      onChanged();
    });
  const reassign = (): void =>
    void act.run(async () => {
      await post(`/api/v1/approvals/${enc(a.id)}/reassign`, { to });
      setTo('');
      approval.reload();
      onChanged();
    });
  return (
    <article className="panel approval" aria-label={`Approval ${a.title}`}>
      <h2>{a.title}</h2>
      <p>
        <Status status={a.outcome ?? a.status} /> <span className="muted">{a.approvalType}</span>
      </p>
      <dl>
        <dt>Requested by</dt>
        <dd>{a.requestor || 'Unknown'}</dd>
        <dt>Requested</dt>
        <dd>{when(a.requestDate)}</dd>
        <dt>Assigned to</dt>
        <dd>{a.assignedTo.join(', ')}</dd>
        {a.itemLink ? (
          <>
            <dt>Item</dt>
            <dd>
              <a href={a.itemLink} target="_blank" rel="noopener noreferrer">
                {a.itemLinkDescription || a.itemLink}
              </a>
            </dd>
          </>
        ) : null}
        {a.runId && a.workflow?.id ? (
          <>
            <dt>Flow</dt>
            <dd>
              <Link to={`/runs/${enc(a.runId)}`}>{a.workflow.name ?? 'The run that asked'}</Link>
            </dd>
          </>
        ) : null}
      </dl>
      {a.details ? <Markdown source={a.details} /> : null}
      <h3>Responses</h3>
      {a.responses.length === 0 ? <p className="muted">No response yet.</p> : null}
      <ul className="responses">
        {a.responses.map((r, i) => (
          <li key={i}>
            <strong>{r.responder.displayName || r.responder.email}</strong>: {r.approverResponse}
            {r.comments ? ` — “${r.comments}”` : ''} <span className="muted">{when(r.responseDate)}</span>
          </li>
        ))}
      </ul>
      {pending && mine && !answered ? (
        <div className="respond">
          <label>
            Comment
            <textarea rows={3} value={comments} onChange={(e) => setComments(e.target.value)} />
          </label>
          <div className="buttons">
            {a.responseOptions.map((o) => (
              <button
                key={o}
                type="button"
                className={/^reject/i.test(o) ? 'danger' : 'primary'}
                onClick={() => respond(o)}
                disabled={act.busy}
              >
                {o}
              </button>
            ))}
          </div>
          {a.enableReassignment ? (
            <div className="reassign">
              <label>
                Reassign to (email)
                <input type="email" value={to} onChange={(e) => setTo(e.target.value)} />
              </label>
              <button type="button" onClick={reassign} disabled={act.busy || !to}>
                Reassign
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      <ErrorNote error={act.error} />
    </article>
  );
}
