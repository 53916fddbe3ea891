// `npm start`: build if needed, then run the Electron app; where the Electron
// runtime is missing, say so in one line and run browser mode instead.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findElectronRuntime } from './electron-runtime.mjs';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const outputs = ['dist/main/electron.cjs', 'dist/main/preload.cjs', 'dist/main/cli.cjs', 'dist/renderer/index.html'];
const builtAt = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
if (builtAt < newest('src')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

const args = process.argv.slice(2);
const runtime = findElectronRuntime();
let child;
if (runtime.path) {
  child = spawn(runtime.path, ['dist/main/electron.cjs', ...args], { stdio: 'inherit' });
} else {
  console.log(`Electron runtime missing: ${runtime.reason}; running in browser mode instead.`);
  child = spawn(process.execPath, ['dist/main/cli.cjs', ...args], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
