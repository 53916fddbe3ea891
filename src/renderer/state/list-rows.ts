// The incident list as rows on screen. In a storm (more than 50 incidents
// shown, or when asked) incidents alike — same state, severity and service —
// are one row: its first incident, with how many more are like it. The row
// opens (→ or x) to show every one; nothing is dropped, only folded.
import type { Incident } from '../../shared/domain/incident.js';

/** Above this many incidents shown, alike ones fold into one row (mode auto). */
export const GROUP_AUTO_ABOVE = 50;

export type GroupingMode = 'auto' | 'on' | 'off';

export interface ListGroup {
  key: string;
  /** every incident of the group, in list order; the first is the row's own */
  ids: string[];
  expanded: boolean;
  alerts: number;
}

export interface ListRow {
  id: string;
  /** the group this row heads (folded or open); null for a row of its own */
  group: ListGroup | null;
  /** an incident shown inside an open group, under its head */
  child: boolean;
}

export function groupKeyOf(i: Pick<Incident, 'state' | 'severity' | 'service'>): string {
  return `${i.state}|${i.severity}|${i.service}`;
}

export function listRows(items: readonly Incident[], mode: GroupingMode, expanded: Readonly<Record<string, boolean>>): ListRow[] {
  const on = mode === 'on' || (mode === 'auto' && items.length > GROUP_AUTO_ABOVE);
  if (!on) return items.map((i) => ({ id: i.id, group: null, child: false }));
  const byKey = new Map<string, Incident[]>();
  for (const i of items) {
    const k = groupKeyOf(i);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  }
  const rows: ListRow[] = [];
  const headed = new Set<string>();
  for (const i of items) {
    const k = groupKeyOf(i);
    const members = byKey.get(k)!;
    if (members.length < 2) {
      rows.push({ id: i.id, group: null, child: false });
      continue;
    }
    const open = expanded[k] === true;
    if (!headed.has(k)) {
      headed.add(k);
      rows.push({ id: i.id, group: { key: k, ids: members.map((m) => m.id), expanded: open, alerts: members.reduce((n, m) => n + m.alertCount, 0) }, child: false });
    } else if (open) rows.push({ id: i.id, group: null, child: true });
  }
  return rows;
}
