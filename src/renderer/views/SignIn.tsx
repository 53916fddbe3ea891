import { useEffect, useState, type FormEvent } from 'react';
import { useConsole } from '../state/context.js';

export function SignIn() {
  const signIn = useConsole((s) => s.signIn);
  const client = useConsole((s) => s.client);
  const [userId, setUserId] = useState('');
  const [displayName, setDisplayName] = useState('');
  // people who signed in here before: their user id offers itself, and their name fills in
  const [known, setKnown] = useState<{ userId: string; displayName: string }[]>([]);
  useEffect(() => {
    client.request('operator.known', {}).then(
      (r) => setKnown(r.operators),
      () => undefined,
    );
  }, [client]);
  // the people may come after the user id was typed (a busy console): the name then fills in as they come
  useEffect(() => {
    const match = known.find((k) => k.userId === userId.trim());
    if (match && !displayName) setDisplayName(match.displayName);
    // only when they come: a name typed or cleared by hand afterwards stays as it is
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [known]);
  const chooseUser = (value: string) => {
    setUserId(value);
    const match = known.find((k) => k.userId === value.trim());
    if (match) setDisplayName(match.displayName);
  };
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    await signIn(userId.trim(), displayName.trim(), pin || undefined);
    setBusy(false);
  };

  return (
    <main className="content sign-in" id="main" tabIndex={-1}>
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to the on-call console</h1>
        <p className="muted">Every action you take is recorded in the audit trail under your name.</p>
        <label>
          User ID
          <input name="userId" autoComplete="username" autoFocus required list="known-operators" value={userId} onChange={(e) => chooseUser(e.target.value)} />
          <datalist id="known-operators">
            {known.map((k) => (
              <option key={k.userId} value={k.userId}>
                {k.displayName}
              </option>
            ))}
          </datalist>
        </label>
        <label>
          Display name
          <input name="displayName" autoComplete="name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          PIN (optional; set on first sign-in)
          <input name="pin" type="password" inputMode="numeric" autoComplete="off" pattern="[0-9]{4,8}" value={pin} onChange={(e) => setPin(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
