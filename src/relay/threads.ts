// Worker threads of the relay, from source and from the build alike: the
// worker's script sits beside this module (name.ts from source, compiled by
// tsx as it loads; name.cjs beside the bundle). Each worker says 'ready' once
// its script has loaded; until then its pool does the work on the relay's thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The evaluated bootstrap: the worker's own script, compiled on load from source. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.entry);
`;

export interface WorkerScript {
  entry: string;
  tsx?: string;
}

/** The worker script `name` beside this module, or null when it is missing (then the work stays on the relay's thread). */
export function workerScript(name: string): WorkerScript | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const entry = join(dirname(here), `${name}.ts`);
    try {
      return existsSync(entry) ? { entry, tsx: createRequire(import.meta.url).resolve('tsx/cjs/api') } : null;
    } catch {
      return null; // no tsx
    }
  }
  const entry = join(dirname(here), `${name}.cjs`);
  return existsSync(entry) ? { entry } : null;
}

/** Start the script with its data (unreferenced: it never keeps the relay's process alive by itself). */
export function startWorker(script: WorkerScript, data: Record<string, unknown>): Worker {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...script, ...data } });
  worker.unref();
  return worker;
}
