import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/core/dispatch.js';
import { ConsoleError } from '../../src/shared/errors.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { consoleTest } from '../support/fixtures.js';

describe('contract dispatch', () => {
  let oncall: OnCallConsole;
  consoleTest.beforeEach(({ oncall: started }) => {
    oncall = started;
  });

  consoleTest('answers a valid request with its result', async () => {
    const reply = await dispatch(oncall.handlers, 'operator.signIn', { userId: 'rn.jones', displayName: 'R. Jones' }, { transport: 'test' });
    expect(reply).toMatchObject({ ok: true, result: { userId: 'rn.jones', displayName: 'R. Jones' } });
    expect(oncall.status().operator?.userId).toBe('rn.jones');
  });

  consoleTest('refuses an unknown request by name', async () => {
    const reply = await dispatch(oncall.handlers, 'console.format', {}, { transport: 'test' });
    expect(reply).toEqual({ ok: false, error: { code: 'E_UNKNOWN_REQUEST', category: 'input', message: 'no such request: "console.format"' } });
  });

  consoleTest('names each failing field of an invalid input and changes nothing', async () => {
    const before = oncall.services().audit.stats();
    const reply = await dispatch(oncall.handlers, 'operator.signIn', { userId: 'x', displayName: '<b>' }, { transport: 'test' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('E_INVALID_INPUT');
    expect(reply.error.message).toContain('userId: must be at least 2 characters');
    expect(reply.error.message).toContain('displayName: must not contain control characters or angle brackets');
    expect(oncall.services().audit.stats()).toEqual(before);
    expect(oncall.status().operator).toBeNull();
  });

  consoleTest('refuses extra fields the schema does not know', async () => {
    const reply = await dispatch(oncall.handlers, 'console.status', { debug: true }, { transport: 'test' });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toMatch(/console\.status: .*debug/);
  });

  consoleTest('passes a handler’s typed error through and hides internal errors', async () => {
    const table = {
      ...oncall.handlers,
      'console.status': () => {
        throw new ConsoleError('E_TEST', 'state', 'a message a person can act on');
      },
      'operator.signOut': () => {
        throw new Error('SELECT * FROM secret at line 3');
      },
    };
    expect(await dispatch(table, 'console.status', {}, { transport: 'test' })).toEqual({
      ok: false,
      error: { code: 'E_TEST', category: 'state', message: 'E_TEST: a message a person can act on' },
    });
    const internal = await dispatch(table, 'operator.signOut', {}, { transport: 'test' });
    expect(internal.ok).toBe(false);
    if (!internal.ok) {
      expect(internal.error.code).toBe('E_INTERNAL');
      expect(internal.error.message).not.toContain('secret');
    }
  });

  consoleTest('requires a signed-in operator to export the audit trail', async () => {
    const reply = await dispatch(oncall.handlers, 'audit.export', { format: 'csv' }, { transport: 'test' });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('E_NOT_SIGNED_IN');
  });
});

describe('the merge points of the contract and the handler table', () => {
  it('refuses a request declared by two domains', async () => {
    const { mergeSlices, request, Empty } = await import('../../src/shared/contract/define.js');
    expect(() => mergeSlices({ 'a.x': request<number>()(Empty) }, { 'a.x': request<string>()(Empty) })).toThrow('E_CONTRACT: "a.x" is declared by two domains');
  });

  it('refuses a request registered twice or not at all, and applies the lock policy where a handler is registered', async () => {
    const { mergeHandlers, open, unlocked } = await import('../../src/main/platform/handlers.js');
    const { REQUEST_NAMES } = await import('../../src/shared/contract.js');
    const all = Object.fromEntries(REQUEST_NAMES.map((n) => [n, unlocked(() => 'ran' as never)]));
    const policy = { requireUnlocked: () => { throw new Error('locked'); } };
    expect(() => mergeHandlers([all, { 'console.status': open(() => 'x' as never) }], policy)).toThrow('E_CONTRACT: request "console.status" is registered twice');
    const { 'incidents.get': _drop, ...rest } = all;
    expect(() => mergeHandlers([rest], policy)).toThrow('E_CONTRACT: no handler for incidents.get');
    const table = mergeHandlers([{ ...all, 'console.status': open(() => 'open' as never) }], policy);
    expect(table['console.status']({} as never, { transport: 'test' })).toBe('open');
    expect(() => table['incidents.list']({} as never, { transport: 'test' })).toThrow('locked');
  });
});
