import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { isoTime, type Clock } from '../../shared/clock.js';
import { ConsoleError } from '../../shared/errors.js';
import type { Operator, OperatorRole, RegisteredOperator } from '../../shared/domain/operator.js';
import { LOCKOUT_AFTER, nextAttemptAt } from './pin-throttle.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import { configurePhiAllowList } from '../../shared/phi.js';
import { Emitter } from '../platform/emitter.js';

interface OperatorRow {
  user_id: string;
  display_name: string;
  pin_salt: string | null;
  pin_hash: string | null;
  role: OperatorRole;
  failed_attempts: number;
  last_failed_at: string | null;
  locked_out: number;
  created_at: string;
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
  /** signed in, out, locked or unlocked */
  readonly changed = new Emitter<void>();
  private current: Operator | null = null;
  /** unlocked (null), or locked — and why */
  private lockState: { reason: 'inactivity' | 'manual' } | null = null;
  private get locked(): boolean {
    return this.lockState !== null;
  }
  private lastActivity: number;
  /** failed PIN attempts at this workstation, whoever they were for */
  private stationFailures = 0;
  private stationLastFailed: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    readonly lockAfterMs: number = 10 * 60_000,
  ) {
    this.lastActivity = clock.now();
  }

  get operator(): Operator | null {
    return this.current;
  }

  /** why the console is locked (null: it is not) */
  get lockReason(): 'inactivity' | 'manual' | null {
    return this.lockState?.reason ?? null;
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
    this.lockState = { reason };
    this.changed.emit();
  }

  private row(userId: string): OperatorRow | undefined {
    return this.db.prepare('SELECT user_id, display_name, pin_salt, pin_hash, role, failed_attempts, last_failed_at, locked_out, created_at FROM operator WHERE user_id = ?').get(userId) as OperatorRow | undefined;
  }

  private registryEmpty(): boolean {
    return (this.db.prepare('SELECT EXISTS (SELECT 1 FROM operator)').pluck().get() as number) === 0;
  }

  /**
   * Check a registered operator's PIN. Attempts are throttled per operator
   * and per workstation with growing delays; after LOCKOUT_AFTER failures in
   * a row the operator is locked out until an admin resets the PIN. Every
   * refusal is audited.
   */
  private checkPin(row: OperatorRow, pin: string | undefined): void {
    const userId = row.user_id;
    const now = this.clock.now();
    const refuse = (code: string, message: string, details: Record<string, unknown> = {}): never => {
      this.audit.append({ operator: userId, action: 'operator.pin_refused', subjectType: 'operator', subjectId: userId, details: { code, ...details } });
      throw new ConsoleError(code, 'auth', message);
    };
    if (row.locked_out) refuse('E_OPERATOR_LOCKED_OUT', `${userId} is locked out after ${LOCKOUT_AFTER} wrong PINs: an admin must reset the PIN`);
    if (!row.pin_hash) return;
    const waits = [nextAttemptAt(row.failed_attempts, row.last_failed_at ? Date.parse(row.last_failed_at) : null), nextAttemptAt(this.stationFailures, this.stationLastFailed)].filter((t): t is number => t !== null && t > now);
    if (waits.length > 0) {
      const seconds = Math.ceil((Math.max(...waits) - now) / 1000);
      refuse('E_PIN_THROTTLED', `too many wrong PINs: wait ${seconds} s before the next attempt`, { waitS: seconds });
    }
    const ok = pin !== undefined && timingSafeEqual(hashPin(pin, Buffer.from(row.pin_salt!, 'hex')), Buffer.from(row.pin_hash, 'hex'));
    if (ok) {
      this.stationFailures = 0;
      this.stationLastFailed = null;
      if (row.failed_attempts > 0) this.db.prepare('UPDATE operator SET failed_attempts = 0, last_failed_at = NULL WHERE user_id = ?').run(userId);
      return;
    }
    if (pin === undefined) refuse('E_PIN', `${userId} has a PIN: enter it to sign in`, { reason: 'no PIN given' });
    const failures = row.failed_attempts + 1;
    const lockOut = failures >= LOCKOUT_AFTER;
    this.db.prepare('UPDATE operator SET failed_attempts = ?, last_failed_at = ?, locked_out = ? WHERE user_id = ?').run(failures, isoTime(now), lockOut ? 1 : 0, userId);
    this.stationFailures++;
    this.stationLastFailed = now;
    refuse(lockOut ? 'E_OPERATOR_LOCKED_OUT' : 'E_PIN', lockOut ? `wrong PIN: ${userId} is now locked out; an admin must reset the PIN` : 'wrong PIN', { failures });
  }

  /**
   * Sign in (or switch operator, also while locked). Only registered operators
   * sign in; the very first one registers as the admin (and may set a PIN).
   */
  signIn(userId: string, displayName: string, pin?: string): Operator {
    let row = this.row(userId);
    const first = !row && this.registryEmpty();
    if (!row && !first) {
      this.audit.append({ operator: userId.slice(0, 64), action: 'operator.sign_in_refused', subjectType: 'operator', subjectId: userId.slice(0, 64), details: { reason: 'not registered' } });
      throw new ConsoleError('E_NOT_REGISTERED', 'auth', `${userId} is not a registered operator: ask an admin to add you (Status → Operators)`);
    }
    if (row) this.checkPin(row, pin);
    const previous = this.current;
    const wasLocked = this.locked;
    if (wasLocked && previous && previous.userId !== userId && !row?.pin_hash) {
      throw new ConsoleError('E_UNLOCK_NEEDS_PIN', 'auth', `the console is locked by ${previous.userId}: switching to another operator needs that operator's PIN`);
    }
    const now = isoTime(this.clock.now());
    this.audit.transaction(() => {
      if (first) {
        const salt = pin ? randomBytes(16) : null;
        this.db.prepare("INSERT INTO operator (user_id, display_name, pin_salt, pin_hash, created_at, role) VALUES (?, ?, ?, ?, ?, 'admin')").run(userId, displayName, salt?.toString('hex') ?? null, salt ? hashPin(pin!, salt).toString('hex') : null, now);
        configurePhiAllowList([userId, displayName]); // a registered operator's name is never PHI
        this.audit.append({ operator: userId, action: 'operator.registered', subjectType: 'operator', subjectId: userId, details: { role: 'admin', first: true, pin: Boolean(pin) } });
        row = this.row(userId);
      } else if (row!.display_name !== displayName) {
        this.db.prepare('UPDATE operator SET display_name = ? WHERE user_id = ?').run(displayName, userId);
      }
      const action = previous && previous.userId !== userId ? 'operator.switched' : wasLocked ? 'operator.unlocked' : 'operator.signed_in';
      this.audit.append({ operator: userId, action, subjectType: 'operator', subjectId: userId, details: { ...(previous && previous.userId !== userId ? { previous: previous.userId } : {}), pin: Boolean(pin), wasLocked } });
    });
    const next: Operator = { userId, displayName, signedInAt: now, role: row!.role };
    this.current = next;
    this.lockState = null;
    this.lastActivity = this.clock.now();
    this.changed.emit();
    return next;
  }

  /** Unlock as the same person (PIN if they have one). */
  unlock(userId: string, pin?: string): Operator {
    if (!this.locked || !this.current) throw new ConsoleError('E_NOT_LOCKED', 'state', 'the console is not locked');
    if (userId !== this.current.userId) throw new ConsoleError('E_UNLOCK_OTHER', 'auth', `locked by ${this.current.userId}: sign in as yourself to switch operator`);
    return this.signIn(userId, this.current.displayName, pin);
  }

  // ---------------------------------------------------------------- the registry (admins)

  private requireAdmin(): Operator {
    const me = this.current;
    if (!me) throw new ConsoleError('E_NOT_SIGNED_IN', 'auth', 'sign in first');
    if (this.row(me.userId)?.role !== 'admin') throw new ConsoleError('E_NOT_ADMIN', 'auth', 'only an admin manages the operator registry');
    return me;
  }

  /**
   * Another registered operator confirms who they are (their PIN, with the
   * same throttling and lock-out as sign-in) without taking over the session:
   * the receiving clinician signing a hand-off.
   */
  confirm(userId: string, pin: string | undefined): { userId: string; displayName: string } {
    const row = this.row(userId);
    if (!row) throw new ConsoleError('E_OPERATOR_UNKNOWN', 'input', `userId: ${userId} has never signed in here; sign in once first`);
    if (this.current?.userId === userId) throw new ConsoleError('E_HANDOFF_SELF', 'input', 'userId: the receiving operator must be someone else');
    this.checkPin(row, pin);
    return { userId, displayName: row.display_name };
  }

  /** Everyone registered here, by name only (no role, PIN or state): what the sign-in form offers. */
  known(): { userId: string; displayName: string }[] {
    return this.db.prepare('SELECT user_id AS userId, display_name AS displayName FROM operator ORDER BY display_name, user_id').all() as { userId: string; displayName: string }[];
  }

  list(): RegisteredOperator[] {
    this.requireAdmin();
    return (this.db.prepare('SELECT user_id, display_name, pin_hash, role, failed_attempts, locked_out, created_at FROM operator ORDER BY display_name, user_id').all() as OperatorRow[]).map((r) => ({
      userId: r.user_id,
      displayName: r.display_name,
      role: r.role,
      hasPin: r.pin_hash !== null,
      lockedOut: r.locked_out === 1,
      failedAttempts: r.failed_attempts,
      createdAt: r.created_at,
    }));
  }

  /** Register an operator (admin only); every operator an admin adds has a PIN. */
  add(userId: string, displayName: string, role: OperatorRole, pin: string): RegisteredOperator {
    const admin = this.requireAdmin();
    if (this.row(userId)) throw new ConsoleError('E_OPERATOR_EXISTS', 'input', `userId: ${userId} is already registered`);
    const salt = randomBytes(16);
    this.audit.transaction(() => {
      this.db.prepare('INSERT INTO operator (user_id, display_name, pin_salt, pin_hash, created_at, role) VALUES (?, ?, ?, ?, ?, ?)').run(userId, displayName, salt.toString('hex'), hashPin(pin, salt).toString('hex'), isoTime(this.clock.now()), role);
      configurePhiAllowList([userId, displayName]);
      this.audit.append({ operator: admin.userId, action: 'operator.registered', subjectType: 'operator', subjectId: userId, details: { role } });
    });
    return this.list().find((o) => o.userId === userId)!;
  }

  /** Set a new PIN and lift a lock-out (admin only). */
  resetPin(userId: string, pin: string): RegisteredOperator {
    const admin = this.requireAdmin();
    if (!this.row(userId)) throw new ConsoleError('E_NOT_REGISTERED', 'input', `userId: ${userId} is not registered`);
    const salt = randomBytes(16);
    this.audit.transaction(() => {
      this.db.prepare('UPDATE operator SET pin_salt = ?, pin_hash = ?, failed_attempts = 0, last_failed_at = NULL, locked_out = 0 WHERE user_id = ?').run(salt.toString('hex'), hashPin(pin, salt).toString('hex'), userId);
      this.audit.append({ operator: admin.userId, action: 'operator.pin_reset', subjectType: 'operator', subjectId: userId });
    });
    this.stationFailures = 0;
    this.stationLastFailed = null;
    return this.list().find((o) => o.userId === userId)!;
  }

  signOut(): boolean {
    const previous = this.current;
    if (!previous) return false;
    this.audit.append({ operator: previous.userId, action: 'operator.signed_out', subjectType: 'operator', subjectId: previous.userId });
    this.current = null;
    this.lockState = null;
    this.changed.emit();
    return true;
  }

  /** Throws unless someone is signed in and the console is unlocked: nobody signed in sees nothing but counts. */
  requireUnlocked(): void {
    if (!this.current) throw new ConsoleError('E_NOT_SIGNED_IN', 'auth', 'sign in to see details and act');
    if (this.locked) throw new ConsoleError('E_LOCKED', 'auth', 'the console is locked: unlock to see details and act');
  }
}
