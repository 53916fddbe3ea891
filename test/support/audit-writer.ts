// Child process for the crash test: appends acks one per transaction and
// prints each seq only after its commit returned. The parent kills it -9.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../src/main/audit/audit-log.js';
import { FileKeyStore } from '../../src/main/audit/key-store.js';
import { openDatabase } from '../../src/main/store/database.js';
import { systemClock } from '../../src/shared/clock.js';

const dataDir = process.argv[2]!;
const db = openDatabase(join(dataDir, 'console.db'));
const audit = new AuditLog(db, new FileKeyStore(dataDir).load(), systemClock);
writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const { record } = audit.commit(
    { operator: 'rn.jones', action: 'incident.acknowledged', subjectType: 'incident', subjectId: `MAI-${process.pid}-${i}`, details: { i } },
    (tx) => tx.prepare('SELECT 1').get(), // stands in for the incident state change
  );
  writeSync(1, `${record.seq}\n`);
}
