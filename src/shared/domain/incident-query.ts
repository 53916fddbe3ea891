// Which incidents a list shows and in what order — one predicate and one
// comparator, used by main's list query and by the renderer when it merges
// changed incidents into the list it holds, so the two never disagree.
import type { Severity } from './alert.js';
import type { Incident } from './incident.js';

export interface IncidentQuery {
  state: 'open' | 'triggered' | 'acknowledged' | 'resolved' | 'all';
  severity?: Severity | '' | undefined;
  search?: string | undefined;
}

/** Case- and accent-insensitive form for search: "ÉCHO" and "echo" meet; ß, İ and friends fold by Unicode rules. */
export function foldCase(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
}

export function matchesState(q: IncidentQuery['state'], state: Incident['state']): boolean {
  return q === 'all' || (q === 'open' ? state !== 'resolved' : state === q);
}

/** Does the search text (already folded) occur in the incident's id, service or summary? */
export function matchesSearch(folded: string, i: Pick<Incident, 'id' | 'service' | 'summary'>): boolean {
  return folded === '' || foldCase(i.id).includes(folded) || foldCase(i.service).includes(folded) || foldCase(i.summary).includes(folded);
}

export function incidentMatches(q: IncidentQuery, i: Incident): boolean {
  return matchesState(q.state, i.state) && (!q.severity || i.severity === q.severity) && matchesSearch(foldCase((q.search ?? '').trim()), i);
}

const STATE_RANK = { triggered: 0, acknowledged: 1, resolved: 2 } as const;
/** Triggered first, then acknowledged, then resolved; within each, worst severity first, newest first. */
export function compareIncidents(a: Incident, b: Incident): number {
  // plain comparisons: localeCompare is far too slow for 10,000 items several times a second
  return STATE_RANK[a.state] - STATE_RANK[b.state] || (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0) || (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0);
}
