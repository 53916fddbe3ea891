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

export interface Operator {
  userId: string;
  displayName: string;
  signedInAt: string;
}
