import { describe, expect } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { FakeClock } from '../helpers.js';
import { consoleTest } from '../support/fixtures.js';

describe('operator identity and automatic logoff', () => {
  let oncall: OnCallConsole;
  let clock: FakeClock;
  const call = (name: string, input: unknown = {}) => dispatch(oncall.handlers, name, input, { transport: 'test' });

  consoleTest.beforeEach(({ oncall: started, clock: fake }) => {
    oncall = started;
    clock = fake;
  });

  consoleTest('stores a PIN as a salted hash and asks for it at the next sign-in', async () => {
    expect((await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones', pin: '4821' })).ok).toBe(true);
    const row = oncall.services().db.prepare('SELECT pin_salt, pin_hash FROM operator WHERE user_id = ?').get('rn.jones') as { pin_salt: string; pin_hash: string };
    expect(row.pin_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.pin_salt).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(row)).not.toContain('4821');
    const noPin = await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones' });
    expect(noPin).toMatchObject({ ok: false, error: { code: 'E_PIN', message: 'E_PIN: rn.jones has a PIN: enter it to sign in' } });
    expect((await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones', pin: '0000' })).ok).toBe(false);
    expect(oncall.services().audit.list({ action: 'operator.pin_refused' }, 10).total).toBe(2);
    expect((await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones', pin: 'abcd' })).ok).toBe(false); // schema: digits only
  });

  consoleTest('locks after the inactivity period, refuses details and actions, keeps status counts, and unlocks audited', async () => {
    await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones', pin: '4821' });
    const lockAfter = oncall.services().operator.lockAfterMs;
    expect(lockAfter).toBe(10 * 60_000);
    clock.advance(lockAfter - 1000);
    await call('operator.activity');
    clock.advance(lockAfter - 1000);
    oncall.services().operator.checkIdle();
    expect(oncall.status().locked).toBe(false); // activity reset the timer
    clock.advance(1000);
    oncall.services().operator.checkIdle();
    expect(oncall.status().locked).toBe(true);

    const refused = await call('incidents.list', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'E_LOCKED', category: 'auth' } });
    expect((await call('audit.list', { limit: 5 })).ok).toBe(false);
    const status = await call('console.status');
    expect(status.ok).toBe(true);

    expect((await call('operator.unlock', { userId: 'rn.jones', pin: '9999' })).ok).toBe(false);
    expect((await call('operator.unlock', { userId: 'other.person' })).ok).toBe(false);
    expect((await call('operator.unlock', { userId: 'rn.jones', pin: '4821' })).ok).toBe(true);
    expect(oncall.status().locked).toBe(false);
    const actions = oncall.services().audit.list({ operator: 'rn.jones' }, 20).records.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['operator.locked', 'operator.unlocked', 'operator.pin_refused']));
  });

  consoleTest('switches operator from the lock screen, audited with who was there before', async () => {
    await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones' }); // the first operator: admin
    expect((await call('operators.add', { userId: 'dr.wu', displayName: 'Li Wu', role: 'clinician', pin: '2468' })).ok).toBe(true);
    await call('operator.lock');
    expect(oncall.status().locked).toBe(true);
    expect(await call('operator.signIn', { userId: 'dr.wu', displayName: 'Li Wu' })).toMatchObject({ ok: false, error: { code: 'E_PIN' } });
    expect(await call('operator.signIn', { userId: 'made.up', displayName: 'Nobody' })).toMatchObject({ ok: false, error: { code: 'E_NOT_REGISTERED' } });
    expect(oncall.status().locked).toBe(true);
    expect((await call('operator.signIn', { userId: 'dr.wu', displayName: 'Li Wu', pin: '2468' })).ok).toBe(true);
    expect(oncall.status()).toMatchObject({ locked: false, operator: { userId: 'dr.wu' } });
    const rec = oncall.services().audit.list({ action: 'operator.switched' }, 5).records[0]!;
    expect(rec.operator).toBe('dr.wu');
    expect(JSON.parse(rec.details)).toMatchObject({ previous: 'rn.jones', wasLocked: true });
  });

  consoleTest('serves nothing but counts when nobody is signed in', async () => {
    for (const [name, input] of [
      ['incidents.list', {}],
      ['audit.list', { limit: 5 }],
      ['probes.list', {}],
      ['runbooks.runs', {}],
      ['contacts.list', {}],
      ['kpi.dashboard', { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }],
      ['audit.export', { format: 'jsonl' }],
      ['operators.list', {}],
    ] as const) {
      expect(await call(name, input), name).toMatchObject({ ok: false, error: { code: 'E_NOT_SIGNED_IN' } });
    }
    expect((await call('console.status')).ok).toBe(true);
  });

  consoleTest('refuses invented ids, throttles wrong PINs with growing delays, locks the operator out after ten, and an admin reset lifts it', async () => {
    await call('operator.signIn', { userId: 'admin.kim', displayName: 'Jo Kim', pin: '1357' }); // first: admin
    await call('operators.add', { userId: 'rn.lee', displayName: 'Sam Lee', role: 'clinician', pin: '4821' });
    await call('operator.signOut');
    expect(await call('operator.signIn', { userId: 'never.registered', displayName: 'Mallory' })).toMatchObject({ ok: false, error: { code: 'E_NOT_REGISTERED' } });

    const codes: string[] = [];
    const waits: number[] = [];
    let lastWait = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = (await call('operator.signIn', { userId: 'rn.lee', displayName: 'Sam Lee', pin: '0000' })) as { ok: boolean; error?: { code: string; message: string } };
      codes.push(r.error!.code);
      if (r.error!.code === 'E_PIN_THROTTLED') {
        const s = Number(/wait (\d+) s/.exec(r.error!.message)![1]);
        waits.push(s);
        lastWait = s;
        clock.advance(s * 1000); // wait as told, then try again
      }
    }
    console.log(`wrong PIN x20: ${codes.filter((c) => c === 'E_PIN').length} refused, ${waits.length} throttled (waits ${waits.join(', ')} s), then ${codes.filter((c) => c === 'E_OPERATOR_LOCKED_OUT').length} locked out`);
    expect(codes.slice(0, 3)).toEqual(['E_PIN', 'E_PIN', 'E_PIN']); // a tired hand's first slips: no wait
    expect(waits.length).toBeGreaterThan(3);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!); // growing
    expect(lastWait).toBeGreaterThan(waits[0]!);
    expect(codes).toContain('E_OPERATOR_LOCKED_OUT');
    // locked out: even the right PIN is refused
    expect(await call('operator.signIn', { userId: 'rn.lee', displayName: 'Sam Lee', pin: '4821' })).toMatchObject({ ok: false, error: { code: 'E_OPERATOR_LOCKED_OUT' } });
    expect(oncall.services().audit.list({ action: 'operator.pin_refused' }, 100).total).toBeGreaterThanOrEqual(20);

    clock.advance(10 * 60_000);
    expect((await call('operator.signIn', { userId: 'admin.kim', displayName: 'Jo Kim', pin: '1357' })).ok).toBe(true);
    expect((await call('operators.resetPin', { userId: 'rn.lee', pin: '9753' })).ok).toBe(true);
    await call('operator.signOut');
    expect((await call('operator.signIn', { userId: 'rn.lee', displayName: 'Sam Lee', pin: '9753' })).ok).toBe(true);
    expect(await call('operators.list')).toMatchObject({ ok: false, error: { code: 'E_NOT_ADMIN' } }); // a clinician does not manage the registry
  });
});
