import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Operator } from '../../shared/domain/operator.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';

interface OperatorRow {
  user_id: string;
  display_name: string;
  pin_salt: string | null;
  pin_hash: string | null;
}

function hashPin(pin: string, salt: Buffer): Buffer {
  return scryptSync(pin, salt, 32, { N: 16384, r: 8, p: 1 });
}

/**
 * Who sits at the workstation; every action is attributed to them. Locks
 * itself after inactivity (HIPAA automatic logoff): a locked console still
 * pages and shows counts, and refuses everything else until unlocked.
 */
export class OperatorSession {
  private current: Operator | null = null;
  private locked = false;
  private lastActivity: number;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly onChange: () => void,
    readonly lockAfterMs: number = 10 * 60_000,
  ) {
    this.lastActivity = clock.now();
  }

  get operator(): Operator | null {
    return this.current;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** The id written into audit records for actions taken now. */
  actor(): string {
    return this.current?.userId ?? 'system';
  }

  /** The person is there (input at the workstation). */
  touch(): void {
    if (!this.locked) this.lastActivity = this.clock.now();
  }

  /** Lock if idle too long. Called by the console's tick. */
  checkIdle(): void {
    if (this.current && !this.locked && this.clock.now() - this.lastActivity >= this.lockAfterMs) this.lock('inactivity');
  }

  lock(reason: 'inactivity' | 'manual'): void {
    if (!this.current || this.locked) return;
    this.audit.append({ operator: this.current.userId, action: 'operator.locked', subjectType: 'operator', subjectId: this.current.userId, details: { reason, idleMs: this.clock.now() - this.lastActivity } });
    this.locked = true;
    this.onChange();
  }

  private verifyPin(userId: string, pin: string | undefined): OperatorRow | undefined {
    const row = this.db.prepare('SELECT user_id, display_name, pin_salt, pin_hash FROM operator WHERE user_id = ?').get(userId) as OperatorRow | undefined;
    if (row?.pin_hash) {
      const ok = pin !== undefined && timingSafeEqual(hashPin(pin, Buffer.from(row.pin_salt!, 'hex')), Buffer.from(row.pin_hash, 'hex'));
      if (!ok) {
        this.audit.append({ operator: userId, action: 'operator.pin_refused', subjectType: 'operator', subjectId: userId });
        throw new ConsoleError('E_PIN', 'auth', pin === undefined ? `${userId} has a PIN: enter it to sign in` : 'wrong PIN');
      }
    }
    return row;
  }

  /** Sign in (or switch operator, also while locked). A first sign-in with a PIN sets it. */
  signIn(userId: string, displayName: string, pin?: string): Operator {
    const row = this.verifyPin(userId, pin);
    const previous = this.current;
    const wasLocked = this.locked;
    const next: Operator = { userId, displayName, signedInAt: isoTime(this.clock.now()) };
    this.audit.transaction(() => {
      if (!row) {
        const salt = pin ? randomBytes(16) : null;
        this.db.prepare('INSERT INTO operator (user_id, display_name, pin_salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(userId, displayName, salt?.toString('hex') ?? null, salt ? hashPin(pin!, salt).toString('hex') : null, next.signedInAt);
      } else if (row.display_name !== displayName) {
        this.db.prepare('UPDATE operator SET display_name = ? WHERE user_id = ?').run(displayName, userId);
      }
      const action = previous && previous.userId !== userId ? 'operator.switched' : wasLocked ? 'operator.unlocked' : 'operator.signed_in';
      this.audit.append({ operator: userId, action, subjectType: 'operator', subjectId: userId, details: { ...(previous && previous.userId !== userId ? { previous: previous.userId } : {}), pin: Boolean(pin), wasLocked } });
    });
    this.current = next;
    this.locked = false;
    this.lastActivity = this.clock.now();
    this.onChange();
    return next;
  }

  /** Unlock as the same person (PIN if they have one). */
  unlock(userId: string, pin?: string): Operator {
    if (!this.locked || !this.current) throw new ConsoleError('E_NOT_LOCKED', 'state', 'the console is not locked');
    if (userId !== this.current.userId) throw new ConsoleError('E_UNLOCK_OTHER', 'auth', `locked by ${this.current.userId}: sign in as yourself to switch operator`);
    return this.signIn(userId, this.current.displayName, pin);
  }

  signOut(): boolean {
    const previous = this.current;
    if (!previous) return false;
    this.audit.append({ operator: previous.userId, action: 'operator.signed_out', subjectType: 'operator', subjectId: previous.userId });
    this.current = null;
    this.locked = false;
    this.onChange();
    return true;
  }

  /** Throws unless someone is signed in and the console is unlocked. */
  requireUnlocked(): void {
    if (this.locked) throw new ConsoleError('E_LOCKED', 'auth', 'the console is locked: unlock to see details and act');
  }
}
