// The house's rules over the real import graph (TypeScript's own import
// reader, resolved to files), and proof that each rule can fail: a copy of
// the tree with one file weakened must be refused.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTree, cycles, importsOf } from '../support/import-rules.js';

const root = resolve(__dirname, '../..');
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
const show = (overrides: Record<string, string>) => checkTree(root, overrides).map((v) => `${v.rule}: ${v.file} (${v.detail})`);
const baseline = show({});
/** What a change to a copy of the tree adds to the violations of the tree itself. */
const rules = (overrides: Record<string, string>) => show(overrides).filter((r) => !baseline.includes(r));

describe('dependency rules of the house', () => {
  it('hold over the whole source tree: no cycle, imports point down, each layer uses only its packages', () => {
    const v = checkTree(root);
    console.info(`[architecture] ${v.length} violation(s)${baseline.map((r) => `\n  ${r}`).join('')}`);
    expect(v).toEqual([]);
  });

  it('reads type-only imports, re-exports and dynamic imports', () => {
    expect(importsOf("import type { A } from './a.js';\nexport { b } from './b.js';\nconst c = await import('./c.js');\nimport './d.js';")).toEqual(['./a.js', './b.js', './c.js', './d.js']);
  });

  it('fails on a deliberately added cycle, a type-only one too', () => {
    const added = rules({ 'src/main/store/database.ts': `import type { IncidentEngine } from '../incidents/incident-engine.js';\n${read('src/main/store/database.ts')}` });
    expect(added.some((r) => r.startsWith('import cycle:') && r.includes('src/main/store/database.ts'))).toBe(true);
    expect(added.some((r) => r.startsWith('store imports only store, platform and shared: src/main/store/database.ts'))).toBe(true);
    expect(cycles(new Map([['a', [{ to: 'b' }]], ['b', [{ to: 'c' }]], ['c', [{ to: 'a' }]], ['d', [{ to: 'a' }]]]))).toEqual([['a', 'b', 'c']]);
  });

  it('fails on a domain folder importing core, electron or web', () => {
    const src = read('src/main/probes/probe-history.ts');
    for (const target of ['../core/dispatch.js', '../web/bridge.js', '../electron/window-options.js']) {
      expect(rules({ 'src/main/probes/probe-history.ts': `import '${target}';\n${src}` }).some((r) => r.startsWith('a domain folder never imports core, electron or web: src/main/probes/probe-history.ts'))).toBe(true);
    }
  });

  it('fails on platform importing main, on Node, Electron or database packages in shared or the renderer, and on electron outside src/main/electron', () => {
    expect(rules({ 'src/main/platform/x.ts': "import '../store/database.js';" })).toEqual(['platform imports nothing of main: src/main/platform/x.ts (src/main/store/database.ts)']);
    expect(rules({ 'src/shared/x.ts': "import { readFileSync } from 'node:fs';\nimport Database from 'better-sqlite3';\nexport const w = window.location;\nexport const p = process.env;" })).toEqual([
      'no Node APIs in shared: src/shared/x.ts (node:fs)',
      'package not allowed in shared: src/shared/x.ts (better-sqlite3)',
      'no DOM APIs in shared: src/shared/x.ts (window)',
      'no Node APIs in shared: src/shared/x.ts (process)',
    ]);
    expect(rules({ 'src/renderer/x.ts': "import { WebSocket } from 'ws';\nimport '../main/store/database.js';" })).toEqual([
      'package not allowed in renderer: src/renderer/x.ts (ws)',
      'renderer talks to main only through the contract: src/renderer/x.ts (src/main/store/database.ts)',
    ]);
    expect(rules({ 'src/main/core/x.ts': "import { app } from 'electron';" })).toEqual(['electron only under src/main/electron: src/main/core/x.ts (electron)']);
    expect(rules({ 'src/shared/x.ts': "import '../main/core/console.js';" })).toEqual(['shared imports nothing outside shared: src/shared/x.ts (src/main/core/console.ts)']);
  });

  it('typechecks src/shared without DOM or Node type libraries', () => {
    const cfg = JSON.parse(read('tsconfig.shared.json')) as { compilerOptions: { lib: string[]; types: string[] }; include: string[] };
    expect(cfg.include).toEqual(['src/shared']);
    expect(cfg.compilerOptions.types).toEqual([]);
    expect(cfg.compilerOptions.lib.some((l) => /dom/i.test(l))).toBe(false);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.typecheck).toContain('tsconfig.shared.json');
  });
});

describe('read-only consumers get a read-only handle', () => {
  it('KPIs, the hand-off report and audit reading are typed against ReadableDb, whose statements have no run()', () => {
    for (const [file, needle] of [
      ['src/main/kpi/kpi-service.ts', 'private readonly db: ReadableDb'],
      ['src/main/reports/handoff.ts', 'db: ReadableDb'],
      ['src/main/audit/audit-reader.ts', 'private readonly db: ReadableDb'],
    ] as const) {
      expect(read(file), file).toContain(needle);
    }
    const db = read('src/main/store/database.ts');
    const readStatement = db.slice(db.indexOf('export interface ReadStatement'), db.indexOf('}', db.indexOf('export interface ReadStatement')));
    expect(readStatement).not.toMatch(/\brun\(/);
  });
});
