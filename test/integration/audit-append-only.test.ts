import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, tempDir } from '../helpers.js';
import { ack, openAudit } from '../support/audit-fixture.js';

describe('append-only audit table and retention', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('refuses UPDATE on an audit record with a clear error', () => {
    const { db, audit, close } = openAudit(dir);
    audit.append(ack(1));
    expect(() => db.prepare(`UPDATE audit_log SET operator = 'x' WHERE seq = 1`).run()).toThrow(/E_AUDIT_APPEND_ONLY: audit records cannot be changed/);
    expect(audit.verify().ok).toBe(true);
    close();
  });

  it('refuses DELETE on an audit record with a clear error', () => {
    const { db, audit, close } = openAudit(dir);
    audit.append(ack(1));
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/E_AUDIT_APPEND_ONLY: audit records cannot be deleted/);
    expect(audit.stats().records).toBe(1);
    close();
  });

  it('refuses a retention period below seven years', () => {
    const { audit, close } = openAudit(dir);
    audit.append(ack(1));
    expect(() => audit.purge('compliance.officer', 6)).toThrow(/E_AUDIT_RETENTION: audit retention must be at least 7 years/);
    expect(audit.stats().records).toBe(1);
    close();
  });

  it('purges only records older than the retention period, audits the purge, and the chain still verifies', () => {
    const clock = new FakeClock();
    const { audit, close } = openAudit(dir, clock);
    clock.set('2015-03-01T00:00:00Z');
    audit.append(ack(1));
    audit.append(ack(2));
    clock.set('2018-06-01T00:00:00Z');
    audit.append(ack(3));
    clock.set('2024-01-01T00:00:00Z');
    audit.append(ack(4));
    clock.set('2026-11-22T08:00:00Z');
    audit.append(ack(5));

    const result = audit.purge('compliance.officer', 7); // cutoff 2019-11-22
    expect(result).toEqual({ purged: 3, anchorSeq: 3 });
    const remaining = audit.list({}, 10).records;
    expect(remaining.map((r) => r.seq)).toEqual([6, 5, 4]);
    expect(remaining[0]).toMatchObject({ action: 'audit.purged', operator: 'compliance.officer' });
    expect(audit.verify('full')).toMatchObject({ ok: true, fromSeq: 4, checked: 3 });
    close();
  });

  it('lets the database itself refuse to purge young records even if the console’s clock is wrong', () => {
    const clock = new FakeClock();
    const { audit, close } = openAudit(dir, clock);
    audit.append(ack(1)); // written "now"
    clock.set('2045-01-01T00:00:00Z'); // a broken clock would make it look 18 years old
    expect(() => audit.purge('compliance.officer', 7)).toThrow(/E_AUDIT_APPEND_ONLY/);
    expect(audit.stats()).toEqual({ records: 1, lastSeq: 1 });
    expect(audit.verify().ok).toBe(true);
    close();
  });

  it('keeps PHI out of audit details', () => {
    const { audit, close } = openAudit(dir);
    const r = audit.append({
      operator: 'rn.jones',
      action: 'incident.noted',
      subjectType: 'incident',
      subjectId: 'MAI-20261122-080000',
      details: { note: 'Called about patient John Smith, MRN 12345678, DOB 03/14/1962, phone 555-867-5309, jsmith@example.org' },
    });
    for (const phi of ['John Smith', '12345678', '03/14/1962', '555-867-5309', 'jsmith@example.org']) expect(r.details).not.toContain(phi);
    expect(r.details).toContain('[NAME]');
    expect(r.details).toContain('[MRN]');
    close();
  });

  it('runs a state change and its audit record in one transaction: both or neither', () => {
    const { db, audit, close } = openAudit(dir);
    db.exec('CREATE TABLE scratch_state (id TEXT PRIMARY KEY, state TEXT NOT NULL)');
    audit.commit(ack(1), (tx) => tx.prepare(`INSERT INTO scratch_state VALUES ('a', 'acknowledged')`).run());
    expect(() =>
      audit.commit(ack(2), (tx) => {
        tx.prepare(`INSERT INTO scratch_state VALUES ('b', 'acknowledged')`).run();
        throw new Error('state change failed half-way');
      }),
    ).toThrow('half-way');
    expect(db.prepare('SELECT id FROM scratch_state').pluck().all()).toEqual(['a']);
    expect(audit.stats()).toEqual({ records: 1, lastSeq: 1 });
    expect(audit.verify().ok).toBe(true);
    close();
  });
});
