import { useState, type FormEvent } from 'react';
import { useConsole } from '../state/context.js';

/** HIPAA automatic logoff: counts by severity only, no incident details; the console keeps paging. */
export function LockScreen() {
  const operator = useConsole((s) => s.status?.operator);
  const incidents = useConsole((s) => s.status?.incidents);
  const unlock = useConsole((s) => s.unlock);
  const reason = useConsole((s) => s.status?.lockReason ?? null);
  const lockAfterMs = useConsole((s) => s.status?.lockAfterMs ?? 0);
  const error = useConsole((s) => s.lastError);
  const clearError = useConsole((s) => s.clearError);
  const signIn = useConsole((s) => s.signIn);
  const [switching, setSwitching] = useState(false);
  const [userId, setUserId] = useState(operator?.userId ?? '');
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = switching ? await signIn(userId.trim(), name.trim(), pin || undefined) : await unlock(userId.trim(), pin || undefined);
    if (ok) setPin('');
  };

  return (
    <main className="content lock-screen" id="main" tabIndex={-1} data-testid="lock-screen">
      <section className="card" aria-labelledby="lock-title">
        <h1 id="lock-title">Console locked</h1>
        <p className="muted" data-testid="lock-reason">
          {reason === 'manual' ? 'Locked by hand.' : `Locked after ${Math.round(lockAfterMs / 60_000)} min without input.`} Pages still sound; details are hidden until you unlock.
        </p>
        <div className="lock-counts" data-testid="lock-counts">
          {(['SEV1', 'SEV2', 'SEV3'] as const).map((s) => (
            <div key={s} className={`lock-count sev-${s}`}>
              <span>{s}</span>
              <strong data-testid={`lock-count-${s}`}>{incidents?.bySeverity[s] ?? 0}</strong>
            </div>
          ))}
        </div>
        <p>
          {incidents?.open ?? 0} open, {incidents?.unacknowledged ?? 0} unacknowledged
        </p>
        <form onSubmit={(e) => void submit(e)} className="lock-form">
          <label>
            User ID
            <input aria-label="User ID" value={userId} onChange={(e) => setUserId(e.target.value)} required />
          </label>
          {switching && (
            <label>
              Display name
              <input aria-label="Display name" value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
          )}
          <label>
            PIN
            <input
              aria-label="PIN"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              autoFocus={!switching}
              value={pin}
              onChange={(e) => {
                setPin(e.target.value);
                // a refused PIN's message is about the last attempt, not this one
                if (error) clearError();
              }}
            />
          </label>
          <button type="submit" className="primary">
            {switching ? 'Sign in as another operator' : 'Unlock'}
          </button>
          <button type="button" className="link" onClick={() => setSwitching(!switching)}>
            {switching ? 'Unlock as the same operator' : 'Switch operator'}
          </button>
        </form>
      </section>
    </main>
  );
}
