// Schema migrations 9 onwards (no page lost, audit and sign-in hardening).
// Shipped: never edit; add new steps at the end.
import { AUDIT_RECORD_COLUMNS, type Migration } from './migrations-first-wave.js';

export const SECOND_WAVE: Migration[] = [
  {
    version: 9,
    name: 'alerts applied to incidents (repair after a crash) and the per-alert quarantine',
    sql: `
      -- 0: stored, not yet made into an incident; 1: applied. Rows from before
      -- this version were applied in the transaction after their storing.
      ALTER TABLE feed_alert ADD COLUMN applied INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX feed_alert_unapplied ON feed_alert(applied) WHERE applied = 0;
      -- an alert from the relay that this console's schema refuses: described, never kept verbatim
      CREATE TABLE feed_quarantine (
        id       INTEGER PRIMARY KEY,
        at       TEXT    NOT NULL,
        relay_id TEXT    NOT NULL,
        seq      INTEGER,
        reason   TEXT    NOT NULL,
        bytes    INTEGER NOT NULL,
        sha256   TEXT    NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'audit: appends only in order, markers move only with the log, fault segments',
    sql: `
      -- A record can only be appended right after the last one (or the anchor), never at seq <= 0.
      CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
      WHEN NEW.seq <= 0
        OR NEW.seq != coalesce((SELECT max(seq) FROM audit_log), (SELECT seq FROM audit_meta WHERE name = 'anchor'), 0) + 1
      BEGIN
        SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records are appended in order, right after the last one');
      END;
      CREATE TRIGGER audit_meta_no_delete BEFORE DELETE ON audit_meta
      BEGIN
        SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit markers cannot be removed');
      END;
      -- head follows the last record; checkpoints never run ahead of it; the key check never
      -- changes; the anchor moves only through the purge gate
      CREATE TRIGGER audit_meta_guard BEFORE UPDATE ON audit_meta
      WHEN OLD.name = 'keycheck'
        OR (OLD.name = 'head' AND NEW.seq IS NOT (SELECT max(seq) FROM audit_log))
        OR (OLD.name IN ('checkpoint', 'fullcheck') AND NEW.seq > (SELECT seq FROM audit_meta WHERE name = 'head'))
        OR (OLD.name = 'anchor' AND NOT EXISTS (SELECT 1 FROM audit_purge_gate WHERE open = 1))
      BEGIN
        SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit markers move only with the log');
      END;

      -- When the main chain cannot be extended safely (wrong or missing key, a
      -- marker missing, a record forged at its head), records go to a new,
      -- separately keyed segment that starts from a signed statement of the fault.
      CREATE TABLE audit_segment (
        id            INTEGER PRIMARY KEY,
        started_at    TEXT    NOT NULL,
        fault_kind    TEXT    NOT NULL,
        fault_seq     INTEGER NOT NULL,
        fault_message TEXT    NOT NULL,
        statement_mac TEXT    NOT NULL
      );
      CREATE TABLE audit_segment_log (
        segment      INTEGER NOT NULL REFERENCES audit_segment(id),
        seq          INTEGER NOT NULL,
        ${AUDIT_RECORD_COLUMNS},
        PRIMARY KEY (segment, seq)
      );
      CREATE TRIGGER audit_segment_no_change BEFORE UPDATE ON audit_segment
      BEGIN SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit segments cannot be changed'); END;
      CREATE TRIGGER audit_segment_no_delete BEFORE DELETE ON audit_segment
      BEGIN SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit segments cannot be removed'); END;
      CREATE TRIGGER audit_segment_log_no_update BEFORE UPDATE ON audit_segment_log
      BEGIN SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records cannot be changed'); END;
      CREATE TRIGGER audit_segment_log_no_delete BEFORE DELETE ON audit_segment_log
      BEGIN SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records cannot be deleted'); END;
      CREATE TRIGGER audit_segment_log_append_only BEFORE INSERT ON audit_segment_log
      WHEN NEW.seq != coalesce((SELECT max(seq) FROM audit_segment_log WHERE segment = NEW.segment), 0) + 1
      BEGIN SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records are appended in order'); END;
    `,
  },
  {
    version: 11,
    name: 'the last good set of each config file',
    sql: `
      CREATE TABLE config_last_good (
        name     TEXT PRIMARY KEY,
        json     TEXT NOT NULL,
        source   TEXT NOT NULL,
        saved_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'operator registry: roles, failed PIN attempts, lock-out',
    sql: `
      ALTER TABLE operator ADD COLUMN role TEXT NOT NULL DEFAULT 'clinician' CHECK (role IN ('clinician', 'engineer', 'admin'));
      ALTER TABLE operator ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE operator ADD COLUMN last_failed_at TEXT;
      ALTER TABLE operator ADD COLUMN locked_out INTEGER NOT NULL DEFAULT 0;
      -- the first operator ever registered administers the registry
      UPDATE operator SET role = 'admin' WHERE user_id = (SELECT user_id FROM operator ORDER BY created_at, rowid LIMIT 1);
    `,
  },
  {
    version: 13,
    name: 'the previous incident of a key, found by index',
    sql: `
      -- "re-fired after MAI-…" looks up the newest incident of a key among all states
      CREATE INDEX incident_key_opened ON incident(key, opened_at);
    `,
  },
  {
    version: 14,
    name: 'on-call overrides added at a console, synced through the relay',
    sql: `
      CREATE TABLE schedule_override (
        id         TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        person     TEXT NOT NULL,
        starts_at  TEXT NOT NULL,
        ends_at    TEXT NOT NULL CHECK (ends_at > starts_at),
        reason     TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_by_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        -- the console it came from (null: this one); a row from elsewhere is never sent back
        origin     TEXT,
        synced_at  TEXT
      );
      CREATE INDEX schedule_override_role ON schedule_override(role, ends_at);
      CREATE INDEX schedule_override_pending ON schedule_override(synced_at) WHERE origin IS NULL;
    `,
  },
  {
    version: 15,
    name: 'incidents hold alerts: each alert of a group with its own state',
    sql: `
      -- how alerts join an incident: the sender's group (Alertmanager groupKey), the
      -- PagerDuty dedup key, a grouping rule, or the alert's own key
      ALTER TABLE incident ADD COLUMN group_key TEXT;
      UPDATE incident SET group_key = key;
      ALTER TABLE incident ADD COLUMN firing_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE incident ADD COLUMN truncated_alerts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE incident ADD COLUMN last_alert_at TEXT;
      UPDATE incident SET last_alert_at = updated_at;
      CREATE INDEX incident_group_open ON incident(group_key, opened_at) WHERE state != 'resolved';
      CREATE TABLE incident_member (
        incident_id TEXT NOT NULL REFERENCES incident(id),
        alert_key   TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
        severity    TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3')),
        summary     TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        repeats     INTEGER NOT NULL DEFAULT 1,
        -- who acknowledged this one alert (a person here or elsewhere, or the sender); null: nobody
        acknowledged_by TEXT,
        PRIMARY KEY (incident_id, alert_key)
      ) WITHOUT ROWID;
      CREATE INDEX incident_member_key ON incident_member(alert_key);
      CREATE INDEX incident_member_firing ON incident_member(incident_id, status, severity);
      -- every incident so far held one alert, its key: it becomes that incident's one member
      INSERT INTO incident_member (incident_id, alert_key, status, severity, summary, first_seen, last_seen, repeats, acknowledged_by)
        SELECT id, key, CASE state WHEN 'resolved' THEN 'resolved' ELSE 'firing' END, severity, summary, opened_at, updated_at, max(alert_count, 1), NULL FROM incident;
      UPDATE incident SET alert_count = 1, firing_count = CASE state WHEN 'resolved' THEN 0 ELSE 1 END;
    `,
  },
  {
    version: 16,
    name: 'incidents merged and alerts split out: where their alerts go next',
    sql: `
      -- a merged incident's group, or a split-out alert's key, routes to the incident that now holds it
      CREATE TABLE incident_route (
        route_key   TEXT NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incident(id),
        at          TEXT NOT NULL,
        PRIMARY KEY (route_key, incident_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 17,
    name: 'the previous incident of a group, found by index',
    sql: `
      -- "re-fired after MAI-…" looks up the newest incident of a group among all states: without it every new incident read every old one
      CREATE INDEX incident_group_opened ON incident(group_key, opened_at);
    `,
  },
  {
    version: 18,
    name: 'incident times in milliseconds computed by the database itself',
    sql: `
      -- The three Unix-ms times were kept by two triggers; any trigger on the table made every new incident's insert
      -- cost three times as much (a storm opens thousands a second). Generated columns cannot be forgotten by any write
      -- path and cannot be written wrong; the KPI index keeps them, so the dashboards read them as before.
      DROP INDEX incident_kpi;
      DROP TRIGGER incident_times_insert;
      DROP TRIGGER incident_times_update;
      ALTER TABLE incident DROP COLUMN opened_ms;
      ALTER TABLE incident DROP COLUMN acknowledged_ms;
      ALTER TABLE incident DROP COLUMN resolved_ms;
      ALTER TABLE incident ADD COLUMN opened_ms INTEGER GENERATED ALWAYS AS (CAST(round((julianday(opened_at) - 2440587.5) * 86400000.0) AS INTEGER)) VIRTUAL;
      ALTER TABLE incident ADD COLUMN acknowledged_ms INTEGER GENERATED ALWAYS AS (CAST(round((julianday(acknowledged_at) - 2440587.5) * 86400000.0) AS INTEGER)) VIRTUAL;
      ALTER TABLE incident ADD COLUMN resolved_ms INTEGER GENERATED ALWAYS AS (CAST(round((julianday(resolved_at) - 2440587.5) * 86400000.0) AS INTEGER)) VIRTUAL;
      CREATE INDEX incident_kpi ON incident(opened_ms, severity, acknowledged_ms, resolved_ms, category);
    `,
  },
  {
    version: 19,
    name: 'open incidents counted, escalated and timed out by index, not by reading every one',
    sql: `
      -- the status (counts, the alarm bar) four times a second and the escalation tick every 5 s read every open
      -- incident: 600 ms a tick with 40,000 open after a storm. Index-only counts; the tick seeks what is due.
      CREATE INDEX incident_open_severity ON incident(state, severity, opened_at, snoozed_until);
      CREATE INDEX incident_escalation_due ON incident(escalation_level, opened_at) WHERE state = 'triggered';
      CREATE INDEX incident_ack_timeout ON incident(severity, acknowledged_at) WHERE state = 'acknowledged';
    `,
  },
  {
    version: 20,
    name: 'the feed no longer keeps an index no query reads',
    sql: `
      -- Nothing looks a stored alert up by its key (incidents keep their own keys). Keys are hashes, so each new
      -- alert's entry landed on a page of its own: in a storm a 4 KiB page written per alert for nothing.
      DROP INDEX IF EXISTS feed_alert_key;
    `,
  },
];
