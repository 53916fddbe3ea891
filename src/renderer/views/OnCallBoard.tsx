// "On call now" per role: the person, until when, who is next, their number;
// the next seven days as a bar per role with gaps marked; and, for an engineer
// or admin, an override ("I take the night").
import { useEffect, useState, type FormEvent } from 'react';
import type { OnCallBoard as Board } from '../../shared/contract.js';
import type { OnCallSegment, RoleBoard } from '../../shared/domain/schedule.js';
import { toLocalInput } from '../datetime-local.js';
import { useConsole } from '../state/context.js';
import { toIso } from '../state/slice.js';
import { CopyValue } from './CopyValue.js';

const time = (iso: string) => new Date(iso).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });

function phoneOf(board: Board, person: string | null): string | null {
  return person ? (board.people.find((p) => p.name === person)?.phone ?? null) : null;
}

function Week({ role, from, to }: { role: RoleBoard; from: number; to: number }) {
  const span = to - from;
  const width = (s: OnCallSegment) => `${(100 * (Date.parse(s.end) - Date.parse(s.start))) / span}%`;
  // a tick at each local midnight, named by its day
  const ticks: number[] = [];
  for (let d = new Date(from); ; ) {
    d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
    if (d.getTime() >= to) break;
    ticks.push(d.getTime());
  }
  return (
    <div className="oncall-week" role="list" aria-label={`${role.role}: the next 7 days`}>
      {ticks.map((t) => (
        <span key={t} className="oncall-tick" aria-hidden="true" style={{ left: `${(100 * (t - from)) / span}%` }}>
          {new Date(t).toLocaleDateString([], { weekday: 'short' })}
        </span>
      ))}
      {role.segments.map((s) => (
        <span
          key={s.start}
          role="listitem"
          className={s.person ? 'oncall-seg' : 'oncall-seg oncall-gap'}
          style={{ width: width(s) }}
          title={`${time(s.start)} – ${time(s.end)}: ${s.person ?? 'nobody on call (gap)'}${s.via ? ` · ${s.via}` : ''}`}
        >
          {s.person ?? 'gap'}
        </span>
      ))}
    </div>
  );
}

function OverrideForm({ board }: { board: Board }) {
  const add = useConsole((s) => s.addOverride);
  const now = Date.now();
  const [form, setForm] = useState({ role: board.roles[0]?.role ?? '', person: board.people[0]?.name ?? '', start: toLocalInput(now), end: toLocalInput(now + 12 * 3_600_000), reason: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await add({ role: form.role, person: form.person, start: toIso(form.start) ?? '', end: toIso(form.end) ?? '', reason: form.reason })) setForm({ ...form, reason: '' });
  };
  return (
    <form className="inline-form override-form" aria-label="Add an override" onSubmit={(e) => void submit(e)}>
      <label>
        Role{' '}
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
          {board.roles.map((r) => (
            <option key={r.role}>{r.role}</option>
          ))}
        </select>
      </label>
      <label>
        Person{' '}
        <select value={form.person} onChange={(e) => setForm({ ...form, person: e.target.value })}>
          {board.people.map((p) => (
            <option key={p.name}>{p.name}</option>
          ))}
        </select>
      </label>
      <label>
        From <input type="datetime-local" value={form.start} onChange={(e) => setForm({ ...form, start: e.target.value })} />
      </label>
      <label>
        Until <input type="datetime-local" value={form.end} onChange={(e) => setForm({ ...form, end: e.target.value })} />
      </label>
      <input aria-label="Reason" placeholder="Reason (e.g. I take the night)" value={form.reason} maxLength={200} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
      <button type="submit">Add override</button>
    </form>
  );
}

export function OnCallBoard() {
  const board = useConsole((s) => s.onCall);
  const load = useConsole((s) => s.loadOnCall);
  const role = useConsole((s) => s.status?.operator?.role);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 60_000); // "now" moves on
    return () => clearInterval(t);
  }, [load]);
  if (!board) return null;
  const from = Date.parse(board.at);
  const to = from + 7 * 24 * 3_600_000;
  const gaps = board.roles.filter((r) => r.gaps.length > 0);
  return (
    <section className="oncall" aria-labelledby="oncall-now" data-testid="on-call-now">
      <h2 id="oncall-now">On call now</h2>
      {[board.error, ...board.warnings].filter(Boolean).map((e) => (
        <div key={e} className="config-errors" role="alert">
          {e}
        </div>
      ))}
      {board.roles.length === 0 && <p className="muted">No schedules: each role is called on its own number (add schedules.yaml to the data folder).</p>}
      {gaps.length > 0 && (
        <div className="oncall-warning" role="status">
          Nobody on call for {gaps.map((r) => `${r.role} (${Date.parse(r.gaps[0]!.start) <= from ? 'now' : `from ${time(r.gaps[0]!.start)}`})`).join(', ')} in the next 7 days: add an override or fix the schedule.
        </div>
      )}
      <table className="oncall-table">
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">On call now</th>
            <th scope="col">Until</th>
            <th scope="col">Next</th>
            <th scope="col">Next 7 days</th>
          </tr>
        </thead>
        <tbody>
          {board.roles.map((r) => {
            const phone = phoneOf(board, r.now.person);
            return (
              <tr key={r.role} data-testid="on-call-role">
                <th scope="row">
                  {r.role}
                  {r.firstResponder && <span className="muted"> · first responders</span>}
                </th>
                <td>
                  {r.now.person ? (
                    <>
                      <strong>{r.now.person}</strong> {phone && <CopyValue label="☎" value={phone} />}
                      {r.now.via?.startsWith('override') && <span className="muted"> ({r.now.via})</span>}
                    </>
                  ) : (
                    <strong className="oncall-gap-text">Nobody (schedule gap){r.rolePhone ? ` — call the role number ${r.rolePhone}` : ''}</strong>
                  )}
                </td>
                <td>{r.now.until ? time(r.now.until) : '—'}</td>
                <td>{r.now.next ?? (r.now.until ? 'nobody (gap)' : '—')}</td>
                <td>
                  <Week role={r} from={from} to={to} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {(role === 'engineer' || role === 'admin') && board.roles.length > 0 && <OverrideForm board={board} />}
    </section>
  );
}
