// Builds everything `npm start` and the e2e tests run: the Node/Electron
// bundles with esbuild and the renderer with Vite. Output goes to dist/.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __APP_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__importMetaUrl' },
  // what import.meta.url means inside a CommonJS bundle
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  // native or optional modules stay outside the bundle
  external: ['electron', 'better-sqlite3', 'node-notifier', 'bufferutil', 'utf-8-validate'],
};

await Promise.all([
  build({ ...common, entryPoints: ['src/main/electron/main.ts'], outfile: 'dist/main/electron.cjs' }),
  build({ ...common, entryPoints: ['src/main/electron/preload.ts'], outfile: 'dist/main/preload.cjs', sourcemap: false }),
  build({ ...common, entryPoints: ['src/main/cli.ts'], outfile: 'dist/main/cli.cjs' }),
  build({ ...common, entryPoints: ['src/relay/main.ts'], outfile: 'dist/relay/relay.cjs' }),
  // the relay's worker threads run these beside it (src/relay/threads.ts)
  build({ ...common, entryPoints: ['src/relay/parse-worker.ts'], outfile: 'dist/relay/parse-worker.cjs' }),
  build({ ...common, entryPoints: ['src/relay/log-writer-worker.ts'], outfile: 'dist/relay/log-writer-worker.cjs' }),
]);

execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
console.log('built dist/main and dist/renderer');
