// The queries a new incident costs must be answered from indexes, so that a
// console in service for a year is as fast as a new one (EXPLAIN QUERY PLAN).
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/main/store/database.js';
import { EPOCH_BITS, RelayStore } from '../../src/relay/store.js';
import { tempDir } from '../helpers.js';

describe('query plans of the alert → incident path', () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(`${dir}/console.db`);
  afterAll(() => {
    closeDatabase(db);
    cleanup();
  });
  const plan = (sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('catches the LIKE that made every new incident read every old one', () => {
    expect(plan(`SELECT id FROM incident WHERE id = ? OR id LIKE ?`, 'MAI-1', 'MAI-1-%')).toMatch(/\bSCAN\b/);
  });

  it.each([
    ['whether an incident id is taken (each candidate for the next one)', `SELECT 1 FROM incident WHERE id = ?`, ['MAI-20261123-030000-2']],
    ['the open incident of a key', `SELECT *, 0 AS pending FROM incident WHERE key = ? AND state != 'resolved'`, ['am:1']],
    ['the previous incident of a key', `SELECT id FROM incident WHERE key = ? ORDER BY opened_at DESC LIMIT 1`, ['am:1']],
    ['the open incident of a group', `SELECT *, 0 AS pending FROM incident WHERE group_key = ? AND state != 'resolved' ORDER BY opened_at DESC LIMIT 1`, ['amg:1']],
    ['the previous incident of a group', `SELECT id FROM incident WHERE group_key = ? ORDER BY opened_at DESC LIMIT 1`, ['amg:1']],
    ['an alert of an incident', `SELECT status, severity FROM incident_member WHERE incident_id = ? AND alert_key = ?`, ['MAI-1', 'am:1']],
    ['the open incident an alert was routed to', `SELECT i.*, 0 AS pending FROM incident_route r JOIN incident i ON i.id = r.incident_id WHERE r.route_key = ? AND i.state != 'resolved' ORDER BY i.opened_at DESC LIMIT 1`, ['am:1']],
    ['the worst firing alert of an incident', `SELECT min(severity) FROM incident_member WHERE incident_id = ? AND status = 'firing'`, ['MAI-1']],
    ['the open incident holding an alert', `SELECT i.* FROM incident i WHERE i.id IN (SELECT incident_id FROM incident_member WHERE alert_key = ?) AND i.state != 'resolved' ORDER BY i.opened_at DESC LIMIT 1`, ['am:1']],
    ['whether an alert was applied', `SELECT 1 FROM incident_alert WHERE relay_id = ? AND seq = ?`, ['r', 1]],
    ['stored alerts not yet applied', `SELECT relay_id, seq, body FROM feed_alert WHERE applied = 0 ORDER BY rowid LIMIT 500`, []],
    ['the audit head row', `SELECT max(seq) FROM audit_log`, []],
    ['the open incidents counted by severity (the status, four times a second)', `SELECT severity, state, count(*) AS n FROM incident WHERE state IN ('triggered', 'acknowledged') GROUP BY severity, state`, []],
    ['the alarm bar: the worst unacknowledged severity', `SELECT severity, count(*) AS n, min(opened_at) AS oldest FROM incident WHERE state = 'triggered' AND (snoozed_until IS NULL OR snoozed_until <= ?) GROUP BY severity ORDER BY severity LIMIT 1`, ['2026-11-24T00:00:00.000Z']],
    ['the tick: unacknowledged incidents at a level whose next level may be due', `SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND escalation_level = ? AND opened_at <= ?`, [1, '2026-11-24T00:00:00.000Z']],
    ['the tick: unacknowledged SEV1s to page again', `SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND severity = 'SEV1'`, []],
    ['the tick: acknowledgements past their timeout', `SELECT *, 0 AS pending FROM incident WHERE state = 'acknowledged' AND severity = ? AND acknowledged_at <= ?`, ['SEV1', '2026-11-24T00:00:00.000Z']],
    ['the on-call overrides of a role still in force (every page resolves whom to call)', `SELECT * FROM schedule_override WHERE role = ? AND ends_at > ? ORDER BY created_at, id`, ['On-Call Engineer', '2026-11-01T00:00:00.000Z']],
  ])('%s uses an index, never a full scan', (_what, sql, params) => {
    const p = plan(sql as string, ...(params as unknown[]));
    // SEARCH is an index lookup; SCAN (also "USING COVERING INDEX") reads every row
    expect(p).not.toMatch(/\bSCAN\b/);
    expect(p).toMatch(/\bSEARCH\b/);
  });

  // these read every open incident unless their index bounds them: after a storm that is tens of thousands, every tick and every status
  it.each([
    ['the tick seeks a level and a time', `SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND escalation_level = ? AND opened_at <= ?`, [1, '2026-11-24T00:00:00.000Z'], /escalation_level=\? AND opened_at<\?/],
    ['the tick seeks a severity and a time', `SELECT *, 0 AS pending FROM incident WHERE state = 'acknowledged' AND severity = ? AND acknowledged_at <= ?`, ['SEV1', '2026-11-24T00:00:00.000Z'], /severity=\? AND acknowledged_at<\?/],
    ['the SEV1s to page again are sought by severity', `SELECT *, 0 AS pending FROM incident WHERE state = 'triggered' AND severity = 'SEV1'`, [], /state=\? AND severity=\?/],
    ['the status counts from an index alone', `SELECT severity, state, count(*) AS n FROM incident WHERE state IN ('triggered', 'acknowledged') GROUP BY severity, state`, [], /SEARCH incident USING COVERING INDEX/],
    ['the alarm bar from an index alone', `SELECT severity, count(*) AS n, min(opened_at) AS oldest FROM incident WHERE state = 'triggered' AND (snoozed_until IS NULL OR snoozed_until <= ?) GROUP BY severity ORDER BY severity LIMIT 1`, ['2026-11-24T00:00:00.000Z'], /SEARCH incident USING COVERING INDEX/],
  ])('%s', (_what, sql, params, expected) => {
    expect(plan(sql as string, ...(params as unknown[]))).toMatch(expected as RegExp);
  });
});

describe("query plans of the relay's log", () => {
  const { dir, cleanup } = tempDir();
  const store = new RelayStore(`${dir}/relay.db`);
  afterAll(() => {
    store.close();
    cleanup();
  });
  const plan = (sql: string, ...params: unknown[]) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it.each([
    ['the newest alert of a key within one epoch (write-back, silences)', `SELECT body FROM alerts WHERE (seq >> ${EPOCH_BITS}) = ? AND key = ? ORDER BY seq DESC LIMIT 1`, [3, 'am:0123456789abcdef']],
    ['the newest alert of a PagerDuty dedup key (each event without payload)', `SELECT body FROM alerts WHERE substr(key, 1, 3) = 'pd:' AND key = ? ORDER BY seq DESC LIMIT 1`, ['pd:abc']],
    ['the span of the log', `SELECT (SELECT min(seq) FROM alerts) AS lo, (SELECT max(seq) FROM alerts) AS hi`, []],
  ])('%s uses an index, never a full scan', (_what, sql, params) => {
    const p = plan(sql as string, ...(params as unknown[]));
    expect(p).not.toMatch(/\bSCAN alerts\b(?! USING INTEGER PRIMARY KEY)/);
    expect(p).toMatch(/\bSEARCH\b/);
  });
});
