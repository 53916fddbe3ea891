// Contract slice: sign-in, lock, and the operator registry.
import { z } from 'zod';
import { DisplayNameSchema, OperatorIdSchema, OperatorRoleSchema, PinSchema, type Operator, type RegisteredOperator } from '../domain/operator.js';
import { Empty, request } from './define.js';

const OptionalPin = z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits').optional();

export const operatorRequests = {
  'operator.signIn': request<Operator>()(z.object({ userId: OperatorIdSchema, displayName: DisplayNameSchema, pin: OptionalPin }).strict()),
  'operator.unlock': request<Operator>()(z.object({ userId: OperatorIdSchema, pin: OptionalPin }).strict()),
  'operator.lock': request<{ locked: boolean }>()(Empty),
  /** the person is at the workstation (input seen); throttled by the renderer */
  'operator.activity': request<{ locked: boolean }>()(Empty),
  'operator.signOut': request<{ signedOut: boolean }>()(Empty),
  /** who has signed in here before (user id and display name only): the sign-in form fills the name at 3 a.m. */
  'operator.known': request<{ operators: { userId: string; displayName: string }[] }>()(Empty),
  /** the operator registry (admins only) */
  'operators.list': request<{ operators: RegisteredOperator[] }>()(Empty),
  'operators.add': request<RegisteredOperator>()(z.object({ userId: OperatorIdSchema, displayName: DisplayNameSchema, role: OperatorRoleSchema, pin: PinSchema }).strict()),
  'operators.resetPin': request<RegisteredOperator>()(z.object({ userId: OperatorIdSchema, pin: PinSchema }).strict()),
};
