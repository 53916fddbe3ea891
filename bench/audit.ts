import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, type AuditEntry } from '../src/main/audit/audit-log.js';
import { FileKeyStore } from '../src/main/audit/key-store.js';
import { closeDatabase, openDatabase } from '../src/main/store/database.js';
import { systemClock } from '../src/shared/clock.js';

const VERIFY_RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);

function entry(i: number): AuditEntry {
  return {
    operator: 'rn.jones',
    action: 'incident.acknowledged',
    subjectType: 'incident',
    subjectId: `MAI-20261122-08${String(i % 10000).padStart(4, '0')}`,
    details: { note: 'acknowledged from the workstation', level: i % 4 },
  };
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-audit-'));
  try {
    const open = () => {
      const db = openDatabase(join(dir, 'console.db'));
      return { db, audit: new AuditLog(db, new FileKeyStore(dir).load(), systemClock) };
    };
    let { db, audit } = open();
    console.log(`audit benchmark (data dir on ${dir}, synchronous=FULL, WAL)`);

    // 1. durable appends, one transaction (and one fsync) per record
    const durableN = 2000;
    let t = performance.now();
    for (let i = 0; i < durableN; i++) audit.append(entry(i));
    let ms = performance.now() - t;
    console.log(`durable appends, one per transaction: ${rate(durableN, ms)}  (${(ms / durableN).toFixed(3)} ms each, n=${durableN})`);

    // 2. batched appends, 1,000 per transaction
    const batch = 1000;
    const batches = 50;
    t = performance.now();
    for (let b = 0; b < batches; b++) audit.appendBatch(Array.from({ length: batch }, (_, i) => entry(b * batch + i)));
    ms = performance.now() - t;
    console.log(`batched appends (${batch}/transaction): ${rate(batch * batches, ms)}  (n=${batch * batches})`);

    // fill up to the verify size quickly
    const have = audit.stats().records;
    for (let b = have; b < VERIFY_RECORDS; b += 10_000) {
      audit.appendBatch(Array.from({ length: Math.min(10_000, VERIFY_RECORDS - b) }, (_, i) => entry(b + i)));
    }
    const total = audit.stats().records;

    // 3. full verify: one thread, then split over two (what on-demand verify uses)
    t = performance.now();
    const single = audit.verify('full');
    ms = performance.now() - t;
    if (!single.ok) throw new Error(`verify failed: ${single.fault?.message}`);
    console.log(`full verify, one thread: ${rate(single.checked, ms)}  (${single.checked.toLocaleString('en-US')} records in ${ms.toFixed(0)} ms)`);
    t = performance.now();
    const full = await audit.verifyAsync('full');
    ms = performance.now() - t;
    if (!full.ok) throw new Error(`verify failed: ${full.fault?.message}`);
    console.log(`full verify, two threads: ${rate(full.checked, ms)}  (${full.checked.toLocaleString('en-US')} records in ${ms.toFixed(0)} ms)`);

    // 4. start-up: reopen + incremental verify after a clean stop (a few new records)
    audit.append(entry(0));
    audit.verify('incremental');
    audit.append({ operator: 'system', action: 'console.stopped', subjectType: 'console', subjectId: 'bench' });
    closeDatabase(db);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      ({ db, audit } = open());
      const r = audit.verify('incremental');
      samples.push(performance.now() - t);
      if (!r.ok) throw new Error(`incremental verify failed: ${r.fault?.message}`);
      audit.append({ operator: 'system', action: 'console.stopped', subjectType: 'console', subjectId: 'bench' });
      closeDatabase(db);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `start-up (open + migrate check + incremental verify) over ${total.toLocaleString('en-US')} records: median ${samples[2]!.toFixed(2)} ms, max ${samples[4]!.toFixed(2)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
