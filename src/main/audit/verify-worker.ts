import { Worker } from 'node:worker_threads';
import { sqliteModulePath } from '../store/database.js';
import { CHAIN_COLUMNS, recordMac, walkChain, type WalkResult } from './chain-walk.js';

/**
 * Verify records (fromSeq, toSeq] of the database file on a second core. The
 * worker runs the same walkChain/recordMac code, from their source text.
 */
export function walkInWorker(file: string, key: Buffer, fromSeq: number, fromHash: string, toSeq: number): Promise<WalkResult> {
  const source = `
    const __name = (f) => f; // helper some transpilers insert
    const { createHmac } = require('node:crypto');
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.sqlite);
    const recordMac = (${recordMac.toString()});
    const walkChain = (${walkChain.toString()});
    const key = Buffer.from(workerData.key);
    const db = new Database(workerData.file, { readonly: true });
    try {
      const rows = db.prepare('SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq').raw(true).iterate(workerData.from, workerData.to);
      const mac = (r) => recordMac(createHmac, key, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
      parentPort.postMessage(walkChain(rows, workerData.from, workerData.fromHash, mac));
    } finally {
      db.close();
    }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, {
      eval: true,
      workerData: { file, key: new Uint8Array(key), from: fromSeq, fromHash, to: toSeq, sqlite: sqliteModulePath() },
    });
    worker.once('message', (r: WalkResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verify worker exited with ${code}`));
    });
  });
}
