import { useCallback, useEffect, useState } from 'react';
import type { OperatorRole, RegisteredOperator } from '../../shared/domain/operator.js';
import { useConsole } from '../state/context.js';

/** The operator registry, for admins: who may sign in, with which role; add, and reset a PIN (lifts a lock-out). */
export function OperatorsPanel() {
  const client = useConsole((s) => s.client);
  const [operators, setOperators] = useState<RegisteredOperator[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ userId: '', displayName: '', role: 'clinician' as OperatorRole, pin: '' });

  const load = useCallback(async () => {
    try {
      setOperators((await client.request('operators.list', {})).operators);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await client.request('operators.add', form);
      setForm({ userId: '', displayName: '', role: 'clinician', pin: '' });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const reset = async (userId: string) => {
    const pin = window.prompt(`New PIN for ${userId} (4 to 8 digits)`);
    if (!pin) return;
    try {
      await client.request('operators.resetPin', { userId, pin });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section aria-labelledby="operators-heading" data-testid="operators-panel">
      <h3 id="operators-heading">Operators</h3>
      {error && <p className="bad" role="alert">{error}</p>}
      <table className="status-table">
        <thead>
          <tr>
            <th>User ID</th>
            <th>Name</th>
            <th>Role</th>
            <th>PIN</th>
            <th>State</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {operators.map((o) => (
            <tr key={o.userId}>
              <td>{o.userId}</td>
              <td>{o.displayName}</td>
              <td>{o.role}</td>
              <td>{o.hasPin ? 'set' : 'none'}</td>
              <td>{o.lockedOut ? 'locked out' : o.failedAttempts > 0 ? `${o.failedAttempts} wrong PIN(s)` : 'ok'}</td>
              <td>
                <button type="button" onClick={() => void reset(o.userId)}>
                  Reset PIN
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void add(e)} className="operator-add" aria-label="Add an operator">
        <label>
          User ID <input value={form.userId} onChange={(e) => setForm({ ...form, userId: e.target.value })} required />
        </label>
        <label>
          Name <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required />
        </label>
        <label>
          Role{' '}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as OperatorRole })}>
            <option value="clinician">clinician</option>
            <option value="engineer">engineer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          PIN <input type="password" inputMode="numeric" pattern="\d{4,8}" value={form.pin} onChange={(e) => setForm({ ...form, pin: e.target.value })} required />
        </label>
        <button type="submit">Add operator</button>
      </form>
    </section>
  );
}
