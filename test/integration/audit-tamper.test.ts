import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaticKeyStore } from '../../src/main/audit/key-store.js';
import { tempDir } from '../helpers.js';
import { openAudit, seedAudit, tamper } from '../support/audit-fixture.js';

const N = 20;

describe('audit chain verification against a tampered database file', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    seedAudit(dir, N);
  });
  afterEach(() => cleanup());

  function verify(mode: 'full' | 'incremental' = 'full') {
    const { audit, close } = openAudit(dir);
    try {
      return audit.verify(mode);
    } finally {
      close();
    }
  }

  it('verifies an untouched log', () => {
    const r = verify();
    expect(r).toMatchObject({ ok: true, checked: N, fromSeq: 1, toSeq: N, fault: null });
  });

  it('names the record whose details were edited', () => {
    tamper(dir, `UPDATE audit_log SET details = '{"note":"nothing to see"}' WHERE seq = 7;`);
    expect(verify().fault).toMatchObject({ kind: 'edited', seq: 7 });
  });

  it('names an edited operator too (not only details)', () => {
    tamper(dir, `UPDATE audit_log SET operator = 'dr.who' WHERE seq = 12;`);
    expect(verify().fault).toMatchObject({ kind: 'edited', seq: 12 });
  });

  it('names the deleted record', () => {
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 9;');
    const fault = verify().fault;
    expect(fault).toMatchObject({ kind: 'deleted', seq: 9 });
    expect(fault?.message).toContain('record #9 was deleted');
  });

  it('names swapped records as reordered', () => {
    tamper(
      dir,
      `CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq = 5;
       CREATE TEMP TABLE b AS SELECT * FROM audit_log WHERE seq = 6;
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) =
         (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM b) WHERE seq = 5;
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) =
         (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM a) WHERE seq = 6;`,
    );
    const fault = verify().fault;
    expect(fault).toMatchObject({ kind: 'reordered', seq: 5 });
    expect(fault?.message).toContain('holds record #6');
  });

  it('names a truncated tail against the stored head', () => {
    tamper(dir, `DELETE FROM audit_log WHERE seq > ${N - 3};`);
    const fault = verify().fault;
    expect(fault).toMatchObject({ kind: 'truncated', seq: N - 2 });
    expect(fault?.message).toContain(`records #${N - 2} to #${N} are missing`);
  });

  it('names a wrong key', () => {
    const { audit, close } = openAudit(dir, undefined, new StaticKeyStore(randomBytes(32)));
    try {
      expect(audit.verify().fault).toMatchObject({ kind: 'wrong_key', seq: 1 });
    } finally {
      close();
    }
  });

  it('names a removed append-only trigger', () => {
    tamper(dir, '', { restoreTriggers: false });
    expect(verify().fault).toMatchObject({ kind: 'schema' });
  });

  it('names a forged head marker', () => {
    tamper(dir, `UPDATE audit_meta SET seq = ${N - 1} WHERE name = 'head'; DELETE FROM audit_log WHERE seq = ${N};`);
    expect(verify().fault).toMatchObject({ kind: 'head_tampered' });
  });

  it('checks only new records incrementally, and catches an edit to the last verified one', () => {
    expect(verify('full').ok).toBe(true); // checkpoint at N
    const { audit, close } = openAudit(dir);
    audit.append({ operator: 'rn.jones', action: 'incident.noted', subjectType: 'incident', subjectId: 'MAI-1' });
    close();
    expect(verify('incremental')).toMatchObject({ ok: true, checked: 1, fromSeq: N + 1 });
    tamper(dir, `UPDATE audit_log SET action = 'incident.resolved' WHERE seq = ${N + 1};`);
    expect(verify('incremental').fault).toMatchObject({ kind: 'edited', seq: N + 1 });
  });

  it('finds an edit before the checkpoint in a full run that the incremental run skips', () => {
    expect(verify('full').ok).toBe(true);
    tamper(dir, `UPDATE audit_log SET details = '{}' WHERE seq = 3;`);
    expect(verify('incremental').ok).toBe(true);
    expect(verify('full').fault).toMatchObject({ kind: 'edited', seq: 3 });
  });
});

describe('audit verification split over two threads', () => {
  let dir: string;
  let cleanup: () => void;
  const M = 3000;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    seedAudit(dir, M);
  });
  afterEach(() => cleanup());

  async function verifyParallel() {
    const { audit, close } = openAudit(dir);
    try {
      return await audit.verifyAsync('full', 1000);
    } finally {
      close();
    }
  }

  it('verifies an untouched log, counting both halves', async () => {
    expect(await verifyParallel()).toMatchObject({ ok: true, checked: M, toSeq: M });
  });

  it('finds an edit in the half the worker walks', async () => {
    tamper(dir, `UPDATE audit_log SET details = '{}' WHERE seq = ${M - 10};`);
    expect((await verifyParallel()).fault).toMatchObject({ kind: 'edited', seq: M - 10 });
  });

  it('finds a deletion in the first half before one in the second', async () => {
    tamper(dir, `DELETE FROM audit_log WHERE seq IN (100, ${M - 100});`);
    expect((await verifyParallel()).fault).toMatchObject({ kind: 'deleted', seq: 100 });
  });

  it('finds records swapped across the split point', async () => {
    const mid = M / 2;
    tamper(
      dir,
      `CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq = ${mid};
       CREATE TEMP TABLE b AS SELECT * FROM audit_log WHERE seq = ${mid + 1};
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) =
         (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM b) WHERE seq = ${mid};
       UPDATE audit_log SET (ts, operator, action, subject_type, subject_id, details, prev_hash, hash) =
         (SELECT ts, operator, action, subject_type, subject_id, details, prev_hash, hash FROM a) WHERE seq = ${mid + 1};`,
    );
    expect((await verifyParallel()).fault).toMatchObject({ kind: 'reordered', seq: mid });
  });
});
