import { z } from 'zod';

export const OperatorIdSchema = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'may contain only letters, digits and . _ @ -');

export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .regex(/^[^\u0000-\u001f<>]+$/, 'must not contain control characters or angle brackets');

export const OPERATOR_ROLES = ['clinician', 'engineer', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export const OperatorRoleSchema = z.enum(OPERATOR_ROLES, { message: `must be one of ${OPERATOR_ROLES.join(', ')}` });
export const PinSchema = z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits');

export interface Operator {
  userId: string;
  displayName: string;
  signedInAt: string;
  role?: OperatorRole;
}

/** One entry of the operator registry, as an admin sees it (never the PIN or its hash). */
export interface RegisteredOperator {
  userId: string;
  displayName: string;
  role: OperatorRole;
  hasPin: boolean;
  lockedOut: boolean;
  failedAttempts: number;
  createdAt: string;
}
