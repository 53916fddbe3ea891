// `npm run package`: build, then let electron-builder make what this platform
// can. Where the Electron runtime cannot be had, stop with one clear line.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findElectronRuntime } from './electron-runtime.mjs';

const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const runtime = findElectronRuntime();
if (!runtime.path && !(override && existsSync(override))) {
  console.error(`Cannot package: ${runtime.reason}; set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron to package offline.`);
  process.exit(1);
}
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const args = ['electron-builder', '--config', 'electron-builder.yml', '--publish', 'never'];
if (process.platform === 'linux') args.push('--linux');
if (override) args.push(`-c.electronDist=${override}`);
const r = spawnSync('npx', args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
