// Handlers: sign-in, lock and unlock (answered while locked), and the operator registry.
import { open, unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { OperatorSession } from './session.js';

export function operatorHandlers(operator: () => OperatorSession): HandlerSlice {
  return {
    'operator.signIn': open(({ userId, displayName, pin }) => operator().signIn(userId, displayName, pin)),
    'operator.unlock': open(({ userId, pin }) => operator().unlock(userId, pin)),
    'operator.lock': open(() => {
      operator().lock('manual');
      return { locked: operator().isLocked };
    }),
    'operator.activity': open(() => {
      operator().touch();
      return { locked: operator().isLocked };
    }),
    'operator.signOut': unlocked(() => ({ signedOut: operator().signOut() })),
    'operator.known': open(() => ({ operators: operator().known() })),
    'operators.list': unlocked(() => ({ operators: operator().list() })),
    'operators.add': unlocked(({ userId, displayName, role, pin }) => operator().add(userId, displayName, role, pin)),
    'operators.resetPin': unlocked(({ userId, pin }) => operator().resetPin(userId, pin)),
  };
}
