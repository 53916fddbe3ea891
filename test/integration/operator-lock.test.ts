import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { FakeClock, tempDir, testConsole } from '../helpers.js';

describe('operator identity and automatic logoff', () => {
  let dir: string;
  let cleanup: () => void;
  let oncall: OnCallConsole;
  const clock = new FakeClock();
  const call = (name: string, input: unknown = {}) => dispatch(oncall.handlers, name, input, { transport: 'test' });

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    oncall = testConsole(dir, { clock });
    await oncall.start();
  });
  afterEach(async () => {
    await oncall.stop();
    cleanup();
  });

  it('stores a PIN as a salted hash and asks for it at the next sign-in', async () => {
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

  it('locks after the inactivity period, refuses details and actions, keeps status counts, and unlocks audited', async () => {
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

  it('switches operator from the lock screen, audited with who was there before', async () => {
    await call('operator.signIn', { userId: 'rn.jones', displayName: 'Rita Jones' });
    await call('operator.lock');
    expect(oncall.status().locked).toBe(true);
    expect((await call('operator.signIn', { userId: 'dr.wu', displayName: 'Li Wu' })).ok).toBe(true);
    expect(oncall.status()).toMatchObject({ locked: false, operator: { userId: 'dr.wu' } });
    const rec = oncall.services().audit.list({ action: 'operator.switched' }, 5).records[0]!;
    expect(rec.operator).toBe('dr.wu');
    expect(JSON.parse(rec.details)).toMatchObject({ previous: 'rn.jones', wasLocked: true });
  });
});
