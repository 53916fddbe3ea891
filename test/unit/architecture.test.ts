import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, checkTree } from '../support/import-rules.js';

const root = resolve(__dirname, '../..');

describe('dependency rules of the house', () => {
  it('holds over the whole source tree', () => {
    expect(checkTree(root)).toEqual([]);
  });

  it('catches electron imported outside src/main/electron', () => {
    const v = checkFile(root, join(root, 'src/main/core/x.ts'), "import { app } from 'electron';");
    expect(v.map((x) => x.rule)).toEqual(['electron only under src/main/electron']);
  });

  it('catches Node and DOM APIs in src/shared', () => {
    const src = "import { readFileSync } from 'node:fs';\nimport os from 'os';\nexport const w = window.location;\nexport const p = process.env;";
    const rules = checkFile(root, join(root, 'src/shared/x.ts'), src).map((x) => x.rule);
    expect(rules).toEqual(['no Node APIs in shared/renderer', 'no Node APIs in shared/renderer', 'no DOM APIs in shared', 'no Node APIs in shared']);
  });

  it('catches shared reaching into main and the renderer reaching into main', () => {
    expect(checkFile(root, join(root, 'src/shared/x.ts'), "import '../main/core/console.js';")).toHaveLength(1);
    expect(checkFile(root, join(root, 'src/renderer/x.ts'), "import { x } from '../main/store/database.js';")).toHaveLength(1);
  });

  it('typechecks src/shared without DOM or Node type libraries', () => {
    const cfg = JSON.parse(readFileSync(join(root, 'tsconfig.shared.json'), 'utf8')) as { compilerOptions: { lib: string[]; types: string[] }; include: string[] };
    expect(cfg.include).toEqual(['src/shared']);
    expect(cfg.compilerOptions.types).toEqual([]);
    expect(cfg.compilerOptions.lib.some((l) => /dom/i.test(l))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.typecheck).toContain('tsconfig.shared.json');
  });
});
