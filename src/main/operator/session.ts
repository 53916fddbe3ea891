import { isoTime, type Clock } from '../../shared/clock.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { AuditLog } from '../audit/audit-log.js';

/** Who sits at the workstation; every action is attributed to them. */
export class OperatorSession {
  private current: Operator | null = null;

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  get operator(): Operator | null {
    return this.current;
  }

  /** The id written into audit records for actions taken now. */
  actor(): string {
    return this.current?.userId ?? 'system';
  }

  signIn(userId: string, displayName: string): Operator {
    const previous = this.current;
    const next: Operator = { userId, displayName, signedInAt: isoTime(this.clock.now()) };
    // The session lives in memory; it changes only once its audit record committed.
    this.audit.append({
      operator: userId,
      action: previous ? 'operator.switched' : 'operator.signed_in',
      subjectType: 'operator',
      subjectId: userId,
      details: previous ? { previous: previous.userId } : {},
    });
    this.current = next;
    this.onChange();
    return next;
  }

  signOut(): boolean {
    const previous = this.current;
    if (!previous) return false;
    this.audit.append({ operator: previous.userId, action: 'operator.signed_out', subjectType: 'operator', subjectId: previous.userId });
    this.current = null;
    this.onChange();
    return true;
  }
}
