// Schema migrations 1–8 (the first wave: audit log, feed, incidents, outbox,
// probes, runbooks, operators, KPI columns). Shipped: never edit, only append.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The columns of an audit record (the main chain and fault segments alike), as the shipped SQL spells them. */
export const AUDIT_RECORD_COLUMNS = `ts           TEXT    NOT NULL,
        operator     TEXT    NOT NULL,
        action       TEXT    NOT NULL,
        subject_type TEXT    NOT NULL,
        subject_id   TEXT    NOT NULL,
        details      TEXT    NOT NULL,
        prev_hash    TEXT    NOT NULL,
        hash         TEXT    NOT NULL`;

export const FIRST_WAVE: Migration[] = [
  {
    version: 1,
    name: 'audit log, head and checkpoint',
    sql: `
      CREATE TABLE audit_log (
        seq          INTEGER PRIMARY KEY,
        ${AUDIT_RECORD_COLUMNS}
      );
      CREATE INDEX audit_log_ts ON audit_log(ts);
      CREATE INDEX audit_log_operator ON audit_log(operator, seq);
      CREATE INDEX audit_log_action ON audit_log(action, seq);

      -- Single-row tables; their values carry a MAC made with the audit key.
      -- head: the last record appended (updated in the same transaction).
      -- checkpoint: the last record a verification passed.
      -- anchor: where the chain starts (moves only through an audited purge).
      CREATE TABLE audit_meta (
        name  TEXT PRIMARY KEY,
        seq   INTEGER NOT NULL,
        hash  TEXT    NOT NULL,
        mac   TEXT    NOT NULL
      );

      -- Purge gate: DELETE is allowed only while the gate is open AND only for
      -- records older than 7 years by the database's own clock.
      CREATE TABLE audit_purge_gate (open INTEGER NOT NULL);

      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records cannot be changed');
      END;

      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      WHEN NOT EXISTS (SELECT 1 FROM audit_purge_gate WHERE open = 1)
        OR OLD.ts >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 years')
      BEGIN
        SELECT RAISE(ABORT, 'E_AUDIT_APPEND_ONLY: audit records cannot be deleted (only records older than the retention period, through the audited purge)');
      END;
    `,
  },
  {
    version: 2,
    name: 'alerts received from the relay, and the resume cursor',
    sql: `
      CREATE TABLE feed_alert (
        relay_id    TEXT    NOT NULL,
        seq         INTEGER NOT NULL,
        key         TEXT    NOT NULL,
        status      TEXT    NOT NULL,
        severity    TEXT    NOT NULL,
        received_at TEXT    NOT NULL,
        stored_at   TEXT    NOT NULL,
        body        TEXT    NOT NULL,
        PRIMARY KEY (relay_id, seq)
      );
      CREATE INDEX feed_alert_key ON feed_alert(key);
      CREATE TABLE feed_cursor (
        relay_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'incidents, their timeline and alerts, and the ack outbox',
    sql: `
      CREATE TABLE incident (
        id               TEXT PRIMARY KEY,
        key              TEXT NOT NULL,
        severity         TEXT NOT NULL,
        service          TEXT NOT NULL,
        summary          TEXT NOT NULL,
        source           TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
        opened_at        TEXT NOT NULL,
        acknowledged_at  TEXT,
        acknowledged_by  TEXT,
        resolved_at      TEXT,
        assignee         TEXT,
        snoozed_until    TEXT,
        escalation_level INTEGER NOT NULL DEFAULT 0,
        alert_count      INTEGER NOT NULL DEFAULT 0,
        previous_id      TEXT REFERENCES incident(id),
        last_paged_at    TEXT,
        updated_at       TEXT NOT NULL
      );
      -- at most one open incident per alert key
      CREATE UNIQUE INDEX incident_open_key ON incident(key) WHERE state != 'resolved';
      CREATE INDEX incident_state ON incident(state, opened_at);
      CREATE TABLE incident_event (
        id          INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incident(id),
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        actor       TEXT NOT NULL,
        text        TEXT NOT NULL
      );
      CREATE INDEX incident_event_incident ON incident_event(incident_id, id);
      CREATE TABLE incident_alert (
        relay_id    TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        incident_id TEXT NOT NULL REFERENCES incident(id),
        PRIMARY KEY (relay_id, seq)
      );
      CREATE INDEX incident_alert_incident ON incident_alert(incident_id);
      -- actions to send to the relay: written with the state change, drained when connected
      CREATE TABLE outbox (
        id          TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incident(id),
        created_at  TEXT NOT NULL,
        payload     TEXT NOT NULL,
        synced_at   TEXT,
        result      TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_pending ON outbox(synced_at, created_at);
    `,
  },
  {
    version: 4,
    name: 'resume cursor for acks from other consoles; remote acks applied once',
    sql: `
      ALTER TABLE feed_cursor ADD COLUMN ack_seq INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE remote_ack (
        id         TEXT PRIMARY KEY,
        applied_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'probe history as a bounded ring buffer per probe',
    sql: `
      CREATE TABLE probe_result (
        probe_id   TEXT    NOT NULL,
        slot       INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        at         TEXT    NOT NULL,
        state      TEXT    NOT NULL,
        latency_ms REAL,
        detail     TEXT    NOT NULL,
        PRIMARY KEY (probe_id, slot)
      );
    `,
  },
  {
    version: 6,
    name: 'runbook runs and their step progress',
    sql: `
      CREATE TABLE runbook_run (
        id           TEXT PRIMARY KEY,
        runbook_id   TEXT NOT NULL,
        title        TEXT NOT NULL,
        incident_id  TEXT REFERENCES incident(id),
        started_at   TEXT NOT NULL,
        started_by   TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('active', 'completed')),
        completed_at TEXT
      );
      CREATE UNIQUE INDEX runbook_run_incident ON runbook_run(incident_id, runbook_id) WHERE incident_id IS NOT NULL;
      CREATE TABLE runbook_step (
        run_id  TEXT NOT NULL REFERENCES runbook_run(id),
        step_id TEXT NOT NULL,
        status  TEXT NOT NULL CHECK (status IN ('done', 'overridden', 'answered')),
        answer  TEXT,
        note    TEXT,
        by      TEXT NOT NULL,
        at      TEXT NOT NULL,
        PRIMARY KEY (run_id, step_id)
      );
    `,
  },
  {
    version: 7,
    name: 'operators with an optional PIN (salted scrypt hash)',
    sql: `
      CREATE TABLE operator (
        user_id      TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        pin_salt     TEXT,
        pin_hash     TEXT,
        created_at   TEXT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'incident category and times in milliseconds, for the KPI dashboard',
    sql: `
      ALTER TABLE incident ADD COLUMN category TEXT;
      -- backfill from the first alert stored for each incident
      UPDATE incident SET category = (
        SELECT substr(json_extract(f.body, '$.labels.category'), 1, 64)
          FROM incident_alert ia JOIN feed_alert f ON f.relay_id = ia.relay_id AND f.seq = ia.seq
         WHERE ia.incident_id = incident.id AND json_valid(f.body)
         ORDER BY ia.seq LIMIT 1
      );
      -- Unix milliseconds of the three times, kept by triggers so that no write
      -- path can forget them; aggregating integers is what keeps a year's KPIs fast.
      ALTER TABLE incident ADD COLUMN opened_ms INTEGER;
      ALTER TABLE incident ADD COLUMN acknowledged_ms INTEGER;
      ALTER TABLE incident ADD COLUMN resolved_ms INTEGER;
      UPDATE incident SET opened_ms = CAST(round((julianday(opened_at) - 2440587.5) * 86400000.0) AS INTEGER), acknowledged_ms = CAST(round((julianday(acknowledged_at) - 2440587.5) * 86400000.0) AS INTEGER), resolved_ms = CAST(round((julianday(resolved_at) - 2440587.5) * 86400000.0) AS INTEGER);
      CREATE TRIGGER incident_times_insert AFTER INSERT ON incident
      BEGIN
        UPDATE incident SET opened_ms = CAST(round((julianday(NEW.opened_at) - 2440587.5) * 86400000.0) AS INTEGER), acknowledged_ms = CAST(round((julianday(NEW.acknowledged_at) - 2440587.5) * 86400000.0) AS INTEGER), resolved_ms = CAST(round((julianday(NEW.resolved_at) - 2440587.5) * 86400000.0) AS INTEGER) WHERE id = NEW.id;
      END;
      CREATE TRIGGER incident_times_update AFTER UPDATE OF opened_at, acknowledged_at, resolved_at ON incident
      BEGIN
        UPDATE incident SET opened_ms = CAST(round((julianday(NEW.opened_at) - 2440587.5) * 86400000.0) AS INTEGER), acknowledged_ms = CAST(round((julianday(NEW.acknowledged_at) - 2440587.5) * 86400000.0) AS INTEGER), resolved_ms = CAST(round((julianday(NEW.resolved_at) - 2440587.5) * 86400000.0) AS INTEGER) WHERE id = NEW.id;
      END;
      -- covers both dashboard queries: an index-only range scan
      CREATE INDEX incident_kpi ON incident(opened_ms, severity, acknowledged_ms, resolved_ms, category);
    `,
  },
];
