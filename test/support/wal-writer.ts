// Child process for the checkpointer crash test (argv: the database file, rows
// per transaction): commits transactions of that many rows each, one after another, with the log checkpointed on a worker
// every 5 ms; prints each transaction's number only after its commit returned
// and each checkpoint round's figures. The parent kills it -9.
import { writeSync } from 'node:fs';
import { openDatabase } from '../../src/main/store/database.js';
import { WalCheckpointer } from '../../src/main/store/wal-checkpointer.js';

const file = process.argv[2]!;
const TX_ROWS = Number(process.argv[3]);
const db = openDatabase(file, { migrations: [] });
db.exec('CREATE TABLE IF NOT EXISTS w (tx INTEGER NOT NULL, i INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tx, i))');
const checkpointer = new WalCheckpointer(db, file, { intervalMs: 5, onRound: (r) => r.checkpointed > 0 && writeSync(1, `round ${r.checkpointed}\n`) });
checkpointer.start();
const insert = db.prepare('INSERT INTO w (tx, i, body) VALUES (?, ?, ?)');
let tx = (db.prepare('SELECT coalesce(max(tx), 0) FROM w').pluck().get() as number) + 1;
const commit = db.transaction((n: number) => {
  for (let i = 0; i < TX_ROWS; i++) insert.run(n, i, `${n}:${i}:`.padEnd(600, 'x'));
});
writeSync(1, 'ready\n');
// one transaction per turn of the event loop, so the checkpointer's messages are heard
const next = () => {
  commit(tx);
  writeSync(1, `${tx}\n`);
  tx++;
  setImmediate(next);
};
next();
