// Whom an escalation level calls, resolved to the people on call at that
// moment: "Dana Whitfield (On-Call Engineer) +1-555-0141". A role without a
// schedule is called by its own name; a role whose schedule has a gap says so.
import type { CallTarget } from '../../shared/domain/schedule.js';
import type { EscalationLevel } from '../../shared/domain/severity.js';

export type WhoToCall = (role: string, atMs: number) => CallTarget;

/** the role itself: no schedule to resolve it */
export const byRole: WhoToCall = (role) => ({ role, person: null, phone: null, gap: false, until: null });

export function callTargets(level: EscalationLevel, who: WhoToCall, atMs: number): CallTarget[] {
  return level.contacts.map((role) => who(role, atMs));
}

/** what the audit record keeps of whom it called */
export function callDetails(targets: CallTarget[]): { role: string; person: string | null }[] {
  return targets.map((c) => ({ role: c.role, person: c.person }));
}
